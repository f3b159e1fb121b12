"""Instruments are versioned data files (``api/instruments/*.json``), decoded and checked with msgspec.

Two kinds share one tagged union on ``kind``: the counter rating (``counter-3``, ``counter-5``) and the
questionnaire behind the receipt QR (``sipas-service-2023``). Every file is loaded at start; a broken one
stops the service with an :class:`InstrumentError` naming the file and the field (``$.items[3].kind``).

Wording. Every text of an instrument (question, levels, reason chips, sections, items, scale, options) has
a stable code or value, which is what answers store, and two wordings: ``vi``, the wording the
instrument is answered in, and ``en``, its English source. The Vietnamese wording is data of the
instrument, not of the message catalogue, because it is what the measurement means: the SIPAS items are
the Ministry's own wording (Decision 1001/QĐ-BNV), "Rất hài lòng / Hài lòng / Không hài lòng" is the
national one-stop convention, and answers are stored with the instrument version, so changing what a
respondent reads is a new version of the file (an official annex replaces it without code changes), never
a translator's edit. Every other language is a translation like any other: the ``en`` text is its msgid
in the catalogues (``web/locale``), so adding a language is adding a catalogue, and the extraction
(``web/messages.py``) lists these msgids and checks that every catalogue but the Vietnamese one has them.
Pages show instrument text with ``t.wording(x)`` (``web/i18n.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated

import msgspec
from msgspec import Meta

Wording = Annotated[str, Meta(min_length=1, max_length=600)]
InstrumentCode = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$(?!\n)")]


class InstrumentError(ValueError):
    """A broken instrument file: the message names the file and the field."""


class _Data(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    pass


class Label(_Data, frozen=True):
    vi: Wording
    en: Wording


class Option(_Data, frozen=True):
    value: Annotated[int, Meta(ge=0, le=99)]
    vi: Wording
    en: Wording


class Section(_Data, frozen=True):
    code: InstrumentCode
    vi: Wording
    en: Wording


class GridRow(_Data, frozen=True):
    code: InstrumentCode
    vi: Wording
    en: Wording


# -- questionnaire items: one tagged union on "kind" ---------------------------------------------------
class _Item(_Data, frozen=True, tag_field="kind"):
    code: InstrumentCode
    section: InstrumentCode
    vi: Wording
    en: Wording


class ScaleItem(_Item, frozen=True, tag="scale"):
    """The 5-point scale of the instrument, plus "not applicable"; required unless said otherwise."""

    required: bool = True


class ChoiceItem(_Item, frozen=True, tag="choice"):
    options: Annotated[list[Option], Meta(min_length=2)]
    required: bool = False


class GridItem(_Item, frozen=True, tag="grid"):
    """One question over several rows (improvement priorities); each row is stored as its own answer."""

    options: Annotated[list[Option], Meta(min_length=2)]
    rows: Annotated[list[GridRow], Meta(min_length=1)]


class ProfileItem(_Item, frozen=True, tag="profile"):
    """An optional, never identifying fact about the respondent (age band, area...)."""

    options: Annotated[list[Option], Meta(min_length=2)]


class TextItem(_Item, frozen=True, tag="text"):
    max_length: Annotated[int, Meta(ge=1, le=5000)] = 1000
    hint: Label | None = None


Item = ScaleItem | ChoiceItem | GridItem | ProfileItem | TextItem


# -- the two instrument kinds ----------------------------------------------------------------------------
class Level(_Data, frozen=True):
    value: Annotated[int, Meta(ge=1, le=5)]
    vi: Wording
    en: Wording
    satisfied: bool


class Reason(_Data, frozen=True):
    code: InstrumentCode
    factor: str | None
    vi: Wording
    en: Wording


class Counter(_Data, frozen=True, tag_field="kind", tag="counter"):
    code: InstrumentCode
    version: InstrumentCode
    title: Label
    question: Label
    levels: Annotated[list[Level], Meta(min_length=2)]
    ask_reasons_at_or_below: int
    reasons: list[Reason]


class Questionnaire(_Data, frozen=True, tag_field="kind", tag="questionnaire", dict=True):
    code: InstrumentCode
    version: InstrumentCode
    link: Annotated[int, Meta(ge=1, le=255, description="number carried in survey tokens; unique")]
    title: Label
    intro: Label
    scale: Annotated[list[Option], Meta(min_length=5, max_length=5, description="the 5-point SIPAS scale")]
    not_applicable: Label
    sections: Annotated[list[Section], Meta(min_length=1)]
    items: Annotated[list[Item], Meta(min_length=1)]
    source: str = ""

    @cached_property
    def answer_codes(self) -> tuple[str, ...]:
        """Every code an answer row can carry (grid rows answer one by one), in form order."""
        codes: list[str] = []
        for item in self.items:
            codes.extend(r.code for r in item.rows) if isinstance(item, GridItem) else codes.append(item.code)
        return tuple(codes)

    def items_of(self, section: str) -> list[Item]:
        return [item for item in self.items if item.section == section]


Instrument = Counter | Questionnaire


class Instruments:
    """Every instrument by code; questionnaires also by the link number their tokens carry."""

    def __init__(self, found: Iterable[Instrument]) -> None:
        self.by_code: dict[str, Instrument] = {i.code: i for i in found}
        self.by_link: dict[int, Questionnaire] = {
            i.link: i for i in self.by_code.values() if isinstance(i, Questionnaire)
        }

    def questionnaire(self, code: str) -> Questionnaire:
        found = self.by_code.get(code)
        if not isinstance(found, Questionnaire):
            raise KeyError(f"no questionnaire instrument {code!r}")
        return found


def load_file(name: str, raw: bytes) -> Instrument:
    """Decode and check one file; every problem raises InstrumentError naming ``name`` and the field."""
    try:
        found: Instrument = msgspec.json.decode(raw, type=Instrument)  # type: ignore[arg-type]
    except msgspec.ValidationError as exc:
        raise InstrumentError(f"instrument file {name}: {exc}") from None
    except msgspec.DecodeError as exc:
        raise InstrumentError(f"instrument file {name}: not valid JSON ({exc})") from None
    problem = _check(found, Path(name).stem)
    if problem:
        raise InstrumentError(f"instrument file {name}: {problem}")
    return found


@cache
def counter_instrument(scale: int) -> Counter:
    """The checked counter instrument for a unit's rating scale (``counter-3.json``, ``counter-5.json``)."""
    name = f"counter-{scale}.json"
    found = load_file(name, resources.files("api.instruments").joinpath(name).read_bytes())
    if not isinstance(found, Counter):
        raise InstrumentError(f"instrument file {name}: not a counter instrument")
    return found


def load_all(folder: Traversable | Path | None = None) -> Instruments:
    """Load every ``*.json`` in the folder (default: the packaged ``api/instruments``)."""
    root: Traversable | Path = folder or resources.files("api.instruments")
    found: list[Instrument] = []
    links: dict[int, str] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        instrument = load_file(entry.name, entry.read_bytes())
        if isinstance(instrument, Questionnaire):
            if instrument.link in links:
                raise InstrumentError(
                    f"instrument file {entry.name}: link {instrument.link} is already used by "
                    f"{links[instrument.link]} - at `$.link`"
                )
            links[instrument.link] = entry.name
        found.append(instrument)
    return Instruments(found)


def _duplicate(values: Iterable[object]) -> object | None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


def _check(found: Instrument, stem: str) -> str | None:
    if found.code != stem:
        return f"code {found.code!r} differs from the file name {stem!r} - at `$.code`"
    if isinstance(found, Counter):
        if (dup := _duplicate(level.value for level in found.levels)) is not None:
            return f"level value {dup} appears twice - at `$.levels`"
        if (dup := _duplicate(r.code for r in found.reasons)) is not None:
            return f"reason {dup!r} appears twice - at `$.reasons`"
        return None
    if (dup := _duplicate(o.value for o in found.scale)) is not None:
        return f"scale value {dup} appears twice - at `$.scale`"
    if (dup := _duplicate(s.code for s in found.sections)) is not None:
        return f"section {dup!r} appears twice - at `$.sections`"
    sections = {s.code for s in found.sections}
    seen: set[str] = set()
    for n, item in enumerate(found.items):
        where = f"`$.items[{n}]"
        if item.section not in sections:
            return f"unknown section {item.section!r} - at {where}.section`"
        codes = [r.code for r in item.rows] if isinstance(item, GridItem) else [item.code]
        for code in codes:
            if code in seen:
                return f"item code {code!r} appears twice - at {where}.code`"
            seen.add(code)
        options = item.options if isinstance(item, ChoiceItem | GridItem | ProfileItem) else []
        if (dup := _duplicate(o.value for o in options)) is not None:
            return f"option value {dup} appears twice - at {where}.options`"
    empty = sections - {item.section for item in found.items}
    if empty:
        return f"section(s) without items: {', '.join(sorted(empty))} - at `$.sections`"
    return None
