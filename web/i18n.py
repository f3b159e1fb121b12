"""The one message catalogue of the whole product: gettext catalogues (``web/locale/<lang>/LC_MESSAGES/
hailong.po``), read with Babel, and numbers, percentages and dates formatted per locale by Babel.

msgids are the English source text; every language (English included) has its own catalogue, so adding a
language is adding a catalogue (the folder is found at start; Vietnamese stays the default). Python code
and templates say ``t("Send")``, ``t("Dossier: {code}", code=c)``, ``t.ngettext("{n} rating", "{n} ratings",
n)``; a msgid chosen at run time is marked where it is written with
``N_("Thank you!")`` so that the extraction (``web/messages.py``, ``just i18n``) still sees it. The kiosk's
script uses the same two names on a table built here (:meth:`Text.table`).

Instrument wording (questionnaire items, factors, scale labels, reason chips) is the instrument's own
data: see ``api/instruments/loader.py`` for why, and :meth:`Text.wording` for how it is shown.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern

Lang = str
SHOWN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the default unit time zone (HAILONG_TIMEZONE's default)
DEFAULT: Lang = "vi"
SOURCE: Lang = "en"  # the language of the msgids
INSTRUMENTS: Lang = "vi"  # the language the instruments carry their own wording in


def _locale_root() -> Traversable:
    return resources.files("web") / "locale"


def _languages(root: Traversable | Path | None = None) -> tuple[Lang, ...]:
    """Every language with a catalogue, the default first."""
    folder = root or _locale_root()
    found = [entry.name for entry in folder.iterdir() if entry.joinpath("LC_MESSAGES", "hailong.po").is_file()]
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT, lang)))


LANGS: tuple[Lang, ...] = _languages()


def lang_of(value: str | None) -> Lang:
    """The language a request asks for (``?lang=en``), or the default for anything else."""
    return value if value in LANGS else DEFAULT


def switch_to(lang: Lang) -> Lang:
    """The language a page's language switch offers: the next one with a catalogue ("vi" → "en" → "vi")."""
    return LANGS[(LANGS.index(lang) + 1) % len(LANGS)] if lang in LANGS else DEFAULT


def language_name(lang: Lang) -> str:
    """A language's name in itself, for a language switch: "Tiếng Việt", "English" (Babel's data)."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def N_(msgid: str) -> str:
    """Mark a msgid that is translated later, where it is looked up by a variable (``t(kind.title)``)."""
    return msgid


class Worded(Protocol):
    """Instrument text: the instrument's own (official Vietnamese) wording and its English source."""

    @property
    def vi(self) -> str: ...

    @property
    def en(self) -> str: ...


class Text:
    """One language's words and number formats."""

    def __init__(self, lang: Lang, messages: dict[str, str], plurals: dict[str, tuple[str, ...]] | None = None) -> None:
        self.lang = lang
        self.messages = messages
        self.plurals = plurals or {}  # singular msgid → the language's plural forms
        self._form = gettext_module.c2py(get_plural(lang).plural_expr)

    def gettext(self, msgid: str, /, **values: object) -> str:
        """The translation of ``msgid`` (the msgid itself where there is none), with ``{name}`` filled in."""
        text = self.messages.get(msgid) or msgid
        return text.format(**values) if values else text

    __call__ = t = gettext

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form for ``n`` ("{n} rating" / "{n} ratings"), with ``{n}`` written as :meth:`number` does."""
        forms = self.plurals.get(singular, ())
        index = self._form(n)
        text = forms[index] if index < len(forms) and forms[index] else singular if n == 1 else plural
        return text.format(**{"n": self.number(n), **values})

    def wording(self, worded: Worded) -> str:
        """Instrument text: its official wording in Vietnamese; elsewhere its English source, translated."""
        return worded.vi if self.lang == INSTRUMENTS else self.gettext(worded.en)

    def table(self, msgids: Iterable[str]) -> dict[str, str]:
        """Translations of ``msgids`` for a script, leaving out those that read as the msgid itself."""
        return {m: self.messages[m] for m in sorted(set(msgids)) if self.messages.get(m, m) != m}

    def number(self, value: float, digits: int = 0) -> str:
        """ "1.234" in Vietnamese, "1,234" in English."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(_pattern(pattern).apply(value, _locale(self.lang)))

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share in [0, 1]: "92,3 %" in Vietnamese, "92.3%" in English; "—" when there is none."""
        if share is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + (" %" if self.lang == "vi" else "%")
        return str(_pattern(pattern).apply(share, _locale(self.lang)))

    def date(self, value: date, style: str = "medium") -> str:
        return format_date(value, format=style, locale=self.lang)

    def datetime(self, value: datetime, style: str = "medium") -> str:
        """An instant in UTC (as the store and the views give it) is shown in Vietnam's time; one already in
        a unit's own zone is shown as it is."""
        if value.tzinfo is not None and value.utcoffset() == timedelta(0):
            value = value.astimezone(SHOWN_ZONE)
        return format_datetime(value, format=style, locale=self.lang)


@cache
def _pattern(pattern: str) -> NumberPattern:
    """A number pattern parsed once: what Babel's format_decimal/format_percent do on every call (a page of
    figures formats a thousand numbers; parsing each time was most of a table's rendering time)."""
    return parse_pattern(pattern)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _read(lang: Lang) -> Catalog:
    path = _locale_root() / lang / "LC_MESSAGES" / "hailong.po"
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def catalogue(lang: Lang) -> dict[str, str]:
    """msgid → translation, straight from the .po file (no compiled .mo to keep in step)."""
    return {
        str(m.id): str(m.string) for m in _read(lang) if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def plurals(lang: Lang) -> dict[str, tuple[str, ...]]:
    """Singular msgid → plural forms, for the entries with a ``msgid_plural``."""
    return {
        str(m.id[0]): tuple(str(form or "") for form in m.string)
        for m in _read(lang)
        if isinstance(m.id, tuple) and isinstance(m.string, tuple | list) and not m.fuzzy
    }


@cache
def text(lang: Lang = DEFAULT) -> Text:
    return Text(lang, catalogue(lang), plurals(lang))
