"""What a questionnaire form may carry, checked item by item against the instrument."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

import msgspec

from api.instruments.loader import ChoiceItem, GridItem, ProfileItem, Questionnaire, ScaleItem, TextItem

NOT_APPLICABLE = "na"
Problem = Literal["required", "invalid", "too_long"]


class Answer(msgspec.Struct, frozen=True):
    """One stored row: ``value`` for scale and choice answers, ``text`` for free text and "na"."""

    item: str
    value: int | None = None
    text: str | None = None


class FormResult(msgspec.Struct):
    answers: list[Answer]
    errors: dict[str, Problem]  # item code -> problem, shown next to that question
    chosen: dict[str, str]  # what the citizen sent, to fill the form again when there are errors


def _one(form: Mapping[str, Sequence[str]], name: str) -> tuple[str, bool]:
    """The single value sent for ``name`` ("" if none) and whether it was sent more than once."""
    values = [v for v in form.get(name, ()) if v != ""]
    return (values[0] if values else ""), len(values) > 1


def _option(raw: str, allowed: set[int]) -> int | None:
    ascii_digits = raw.isascii() and raw.isdigit()  # "³" and "٣" are digits to str.isdigit, not to int()
    return int(raw) if ascii_digits and len(raw) < 4 and int(raw) in allowed else None


def read_form(q: Questionnaire, form: Mapping[str, Sequence[str]]) -> FormResult:
    out = FormResult([], {}, {})
    scale = {o.value for o in q.scale}
    for item in q.items:
        if isinstance(item, TextItem):
            raw, _ = _one(form, item.code)
            text = unicodedata.normalize("NFC", raw).strip()
            out.chosen[item.code] = text
            if "\x00" in text:  # PostgreSQL cannot store it, and no one types it
                out.errors[item.code] = "invalid"
            elif len(text) > item.max_length:
                out.errors[item.code] = "too_long"
            elif text:
                out.answers.append(Answer(item.code, text=text))
            continue
        if isinstance(item, GridItem):
            fields = [(r.code, {o.value for o in item.options}, False) for r in item.rows]
        elif isinstance(item, ScaleItem):
            fields = [(item.code, scale, item.required)]
        else:
            assert isinstance(item, ChoiceItem | ProfileItem)
            required = isinstance(item, ChoiceItem) and item.required
            fields = [(item.code, {o.value for o in item.options}, required)]
        for code, allowed, required in fields:
            raw, repeated = _one(form, code)
            out.chosen[code] = raw
            error_at = item.code  # grid errors show beside the grid's question
            if not raw:
                if required:
                    out.errors[error_at] = "required"
            elif isinstance(item, ScaleItem) and raw == NOT_APPLICABLE and not repeated:
                out.answers.append(Answer(code, text=NOT_APPLICABLE))
            elif (value := _option(raw, allowed)) is None or repeated:
                out.errors[error_at] = "invalid"
            else:
                out.answers.append(Answer(code, value=value))
    return out
