"""The one message catalogue of the whole product: gettext catalogues (``web/locale/<lang>/LC_MESSAGES/
hailong.po``), read with Babel, and numbers, percentages and dates formatted per locale by Babel.

msgids are the English source text; every language (English included) has its own catalogue, so adding a
language is adding a catalogue. Vietnamese is the default.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Literal

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT: Lang = "vi"


def lang_of(value: str | None) -> Lang:
    return "en" if value == "en" else "vi"


class Text:
    """One language's words and number formats."""

    def __init__(self, lang: Lang, messages: dict[str, str]) -> None:
        self.lang = lang
        self.messages = messages

    def gettext(self, msgid: str, /, **values: object) -> str:
        text = self.messages.get(msgid) or msgid
        return text.format(**values) if values else text

    __call__ = gettext

    def number(self, value: float, digits: int = 0) -> str:
        """"1.234" in Vietnamese, "1,234" in English."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share in [0, 1]: "92,3 %" in Vietnamese, "92.3%" in English; "—" when there is none."""
        if share is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + (" %" if self.lang == "vi" else "%")
        return format_percent(share, format=pattern, locale=self.lang)

    def date(self, value: date, style: str = "medium") -> str:
        return format_date(value, format=style, locale=self.lang)

    def datetime(self, value: datetime, style: str = "medium") -> str:
        return format_datetime(value, format=style, locale=self.lang)


def catalogue(lang: Lang) -> dict[str, str]:
    """msgid → translation, straight from the .po file (no compiled .mo to keep in step)."""
    path = resources.files("web") / "locale" / lang / "LC_MESSAGES" / "hailong.po"
    with path.open("rb") as f:
        po = read_po(f, locale=lang)
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str) and m.string}


@cache
def text(lang: Lang = DEFAULT) -> Text:
    return Text(lang, catalogue(lang))
