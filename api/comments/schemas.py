from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from api.types import Code

Source = Literal["counter", "questionnaire"]  # where a comment was given: a counter rating, a receipt-QR questionnaire


class MonthCount(msgspec.Struct):
    month: str  # YYYY-MM, in the unit's time zone
    n: int  # dissatisfied comments with the theme
    of: int  # dissatisfied comments in the month
    share: float | None


class Theme(msgspec.Struct):
    code: str
    kind: str  # "fixed" (a reason code of the counter instrument) or "emergent" (a topic, never named)
    vi: str
    en: str
    n: int
    share: float | None
    months: list[MonthCount]
    words: list[str]  # the words that matched most often
    examples: list[str]  # redacted


class ThemeView(msgspec.Struct):
    unit: str
    first_month: str
    last_month: str
    run: int | None  # the analysis run the figures come from (None: no run covers this scope yet)
    as_of: datetime | None
    dissatisfied: int
    comments: int
    themes: list[Theme]
    hidden_mentions: int  # comments naming a person, left out for this viewer's role


class Comment(msgspec.Struct, kw_only=True):
    source: Source
    id: int  # the rating's (counter) or the questionnaire response's
    rating_id: int | None
    response_id: int | None
    unit: str  # the rating's unit; a questionnaire response's dossier's
    month: str
    level: int | None  # a questionnaire's: the response's overall satisfaction, 1–5 (None without a scale answer)
    scale: int
    p_dissatisfied: float
    dissatisfied: bool
    themes: list[str]
    words: dict[str, list[str]]
    mentions_person: bool
    text: str  # redacted


class CommentPage(msgspec.Struct):
    items: list[Comment]
    next_before: str | None  # pass as ?before= for the next page


class WrongThemeIn(msgspec.Struct, forbid_unknown_fields=True):
    theme: Code
    source: Source = "counter"  # the id in the path is the rating's, or (questionnaire) the response's
