"""The report's words, from the product's one message catalogue (``web/locale/<lang>/LC_MESSAGES/hailong.po``).

analysis/ imports nothing from web/, so the catalogue is read here as data, by path, with Babel's .po reader
(as ``web/i18n.py`` reads it). msgids are the English source text and calls are written as everywhere in the
product, ``t("Period")``, ``t("… ({n}) in {year} …", n=…, year=…)``, and ``N_("…")`` where a msgid
is chosen at run time, so that ``just i18n`` (``web/messages.py``, which extracts from analysis/report too)
checks that every catalogue has them. Numbers and percentages are the report's own (``html.pct``, ``html.num``).

The folder is found beside the analysis package: ``<root>/web/locale``, ``<root>`` being the source tree or,
from an installed wheel, ``site-packages`` (the wheel carries every ``hailong.po`` under ``web/locale`` as
package data: pyproject's ``package-data`` ``"*.po"`` on the namespace packages below ``web``). A plain path
rather than ``importlib.resources.files("web")``, which would import web's package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "web" / "locale"
LANGS = ("vi", "en")  # the report's two versions: Vietnamese first, English second


def N_(msgid: str) -> str:
    """Mark a msgid that is translated later, where it is looked up by a code (``t(FLAG_KINDS[kind])``)."""
    return msgid


class Words:
    """One language's words: ``t("Unit")``, ``t("{on_time} on time", on_time=…)``."""

    def __init__(self, lang: str, messages: dict[str, str]) -> None:
        self.lang = lang
        self.messages = messages

    def __call__(self, msgid: str, /, **values: object) -> str:
        """The translation of ``msgid`` (the msgid itself where there is none), with ``{name}`` filled in."""
        text = self.messages.get(msgid) or msgid
        return text.format(**values) if values else text


def catalogue_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "hailong.po"


@cache
def words(lang: str) -> Words:
    """The catalogue of ``lang``, parsed once per process."""
    with catalogue_path(lang).open("rb") as f:
        po = read_po(f, locale=lang)
    return Words(
        lang,
        {
            m.id: m.string
            for m in po
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy
        },
    )


def language_name(lang: str) -> str:
    """A language's name in itself, for the report's language switch: "Tiếng Việt", "English"."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
