"""Which msgids the product uses, and whether every catalogue has them: ``just i18n`` (``python -m
web.messages check``), and ``just i18n update`` to append the missing ones for translation.

The msgids are found with Babel's extractors, never by hand: ``t("…")``, ``gettext("…")`` and ``N_("…")``
in Python (``api/``, ``web/``, ``kiosk/``, and ``analysis/report/``, whose report.html reads the catalogue
as data), the same calls in the Jinja templates (Jinja's own Babel extractor), ``t('…')`` and ``N_('…')``
in the kiosk's script (Babel's JavaScript extractor, template strings included), ``data-t="…"`` in the
kiosk's page, and the English source of every instrument text.

A catalogue is wrong when a msgid in use is missing from it, when its translation is empty (the English
catalogue may leave it empty: it reads as the msgid), fuzzy, or has other ``{fields}`` than the msgid,
and when it holds a msgid nobody uses (a stale entry rots). Instrument text is shown in Vietnamese from
the instrument itself, so the Vietnamese catalogue must not carry it (see ``api/instruments/loader.py``).
"""

from __future__ import annotations

import ast
import io
import re
import string
import sys
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import jinja2
from babel.messages.extract import extract
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from jinja2 import nodes
from jinja2.ext import babel_extract

from web.i18n import INSTRUMENTS, LANGS, SOURCE

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "web" / "locale"
KEYWORDS: dict[str, Any] = {"t": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
DATA_T = re.compile(rb'data-t="([^"]+)"')


@dataclass(frozen=True)
class Place:
    where: str  # "web/templates/survey/form.html:12"
    instrument: bool = False  # English source of an instrument text (its Vietnamese is in the instrument)
    plural: str = ""  # the plural msgid of a t.ngettext("{n} rating", "{n} ratings", n)


def _kiosk_html(fileobj: IO[bytes], *_: Any, **__: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """The kiosk page's ``data-t="msgid"`` attributes (its script fills them in the chosen language)."""
    for number, line in enumerate(fileobj, 1):
        for found in DATA_T.finditer(line):
            yield number, "t", found.group(1).decode(), []


def _jinja(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Jinja's own Babel extractor (``t("…")``, ``_("…")``, ``{% trans %}``), and the ``t.ngettext(…)`` and
    ``t.gettext(…)`` calls on the page's Text, which it does not look for."""
    source = fileobj.read()
    yield from babel_extract(io.BytesIO(source), keywords, comment_tags, options)
    for call in jinja2.Environment(extensions=["jinja2.ext.i18n"]).parse(source.decode()).find_all(nodes.Call):
        f = call.node
        if (
            isinstance(f, nodes.Getattr)
            and isinstance(f.node, nodes.Name)
            and f.node.name == "t"
            and f.attr in keywords
        ):
            strings = tuple(
                a.value if isinstance(a, nodes.Const) and isinstance(a.value, str) else None for a in call.args
            )
            yield call.lineno or 0, f.attr, strings, []


# Babel's Python extractor sees an f-string as one token on Python 3.11, so calls inside one are found here.
F_CALL = re.compile(r"""(?<![\w.])(?:t|N_|gettext)\(\s*(?P<q>["'])(?P<msgid>(?:\\.|(?!(?P=q)).)*)(?P=q)""")


def _fstring_calls(fileobj: IO[bytes], *_: Any, **__: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """``t("…")`` written inside an f-string replacement field."""
    for token in tokenize.tokenize(fileobj.readline):
        if token.type == tokenize.STRING and token.string[:2].lower() in ("f'", 'f"', "rf", "fr"):
            for found in F_CALL.finditer(token.string):
                literal = found.group("q") + found.group("msgid") + found.group("q")
                yield token.start[0], "t", ast.literal_eval(literal), []


Method = str | Callable[..., Iterable[Any]]
SOURCES: tuple[tuple[str, str, Method, dict[str, Any]], ...] = (
    ("api", "**/*.py", "python", {}),
    ("web", "**/*.py", "python", {}),
    ("web", "**/*.py", _fstring_calls, {}),
    ("kiosk", "**/*.py", "python", {}),
    ("analysis/report", "**/*.py", "python", {}),  # report.html: analysis/report/texts.py reads the .po files
    ("analysis/report", "**/*.py", _fstring_calls, {}),
    ("web/templates", "**/*.html", _jinja, {}),
    ("kiosk/static", "*.js", "javascript", {"parse_template_string": True}),
    ("kiosk/static", "*.html", _kiosk_html, {}),
)


def _extract(method: Method, fileobj: IO[bytes], options: dict[str, Any]) -> Iterator[tuple[int, str, str]]:
    """(line, msgid, plural msgid or "")"""
    for line, msgid, _, _ in extract(method, fileobj, KEYWORDS, options=options):
        if isinstance(msgid, tuple) and msgid[0]:
            yield line, msgid[0], msgid[1] or ""
        elif isinstance(msgid, str) and msgid:
            yield line, msgid, ""


def extract_code(root: Path = ROOT) -> dict[str, list[Place]]:
    """msgid → where the code, the templates and the kiosk use it."""
    used: dict[str, list[Place]] = {}
    for folder, pattern, method, options in SOURCES:
        for path in sorted((root / folder).glob(pattern)):
            with path.open("rb") as f:
                for line, msgid, plural in _extract(method, f, options):
                    used.setdefault(msgid, []).append(Place(f"{path.relative_to(root)}:{line}", plural=plural))
    return used


def kiosk_msgids(files: dict[str, bytes]) -> set[str]:
    """The msgids of the kiosk's files (name → content), found as the check finds them."""
    found: set[str] = set()
    for _, pattern, method, options in (s for s in SOURCES if s[0] == "kiosk/static"):
        for name, body in files.items():
            if Path(name).match(pattern):
                found.update(msgid for _, msgid, _ in _extract(method, io.BytesIO(body), options))
    return found


def worded(value: Any, where: str = "$") -> Iterator[tuple[str, str]]:
    """(English source, JSON path) of every text in a decoded instrument."""
    fields = getattr(value, "__struct_fields__", None)
    if fields is not None:
        if "vi" in fields and "en" in fields:
            yield value.en, where
        for name in fields:
            yield from worded(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for n, element in enumerate(value):
            yield from worded(element, f"{where}[{n}]")


def extract_instruments() -> dict[str, list[Place]]:
    from api.instruments.loader import load_all

    used: dict[str, list[Place]] = {}
    for code, instrument in load_all().by_code.items():
        for msgid, where in worded(instrument):
            used.setdefault(msgid, []).append(Place(f"api/instruments/{code}.json {where}", instrument=True))
    return used


def extract_all(root: Path = ROOT) -> dict[str, list[Place]]:
    used = extract_code(root)
    for msgid, places in extract_instruments().items():
        used.setdefault(msgid, []).extend(places)
    return used


@dataclass(frozen=True)
class Entry:
    string: str
    fuzzy: bool = False
    plural: str = ""  # msgid_plural, for an entry with plural forms
    forms: tuple[str, ...] = ()


def read_catalogue(path: Path) -> dict[str, Entry]:
    """msgid (the singular one for plural entries) → entry."""
    with path.open("rb") as f:
        po = read_po(f)
    found: dict[str, Entry] = {}
    for m in po:
        if isinstance(m.id, tuple) and m.id[0] and isinstance(m.string, tuple | list):
            forms = tuple(str(form or "") for form in m.string)
            found[str(m.id[0])] = Entry(forms[0] if all(forms) else "", m.fuzzy, str(m.id[1]), forms)
        elif isinstance(m.id, str) and m.id:
            found[m.id] = Entry(str(m.string or ""), m.fuzzy)
    return found


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _plural_problem(msgid: str, places: list[Place], entry: Entry, lang: str) -> str:
    plural = next((p.plural for p in places if p.plural), "")
    if not plural and not entry.plural:
        return ""
    if not plural or not entry.plural:
        return "is used with plural forms and must have them, or neither" if plural else "has plural forms, unused"
    if len(entry.forms) != get_plural(lang).num_plurals:
        return f"needs {get_plural(lang).num_plurals} plural form(s), has {len(entry.forms)}"
    if any(_fields(form) - _fields(msgid) - _fields(plural) for form in entry.forms):
        return f"is translated with other {{fields}}: {entry.forms!r}"
    return ""


def needed(places: list[Place], lang: str) -> bool:
    """Whether a catalogue of ``lang`` must carry a msgid used at ``places``."""
    return lang != INSTRUMENTS or any(not p.instrument for p in places)


def problems(used: dict[str, list[Place]], catalogues: dict[str, dict[str, Entry]]) -> list[str]:
    """Every reason the catalogues do not match what the product uses; empty when all is well."""
    found: list[str] = []
    for lang, entries in catalogues.items():
        for msgid, places in sorted(used.items()):
            if not needed(places, lang):
                continue
            where = places[0].where
            entry = entries.get(msgid)
            if entry is None:
                found.append(f"{lang}: missing {msgid!r} (used at {where})")
            elif not entry.string and lang != SOURCE:
                found.append(f"{lang}: empty translation of {msgid!r} (used at {where})")
            elif entry.fuzzy:
                found.append(f"{lang}: fuzzy translation of {msgid!r}: review it and drop the flag")
            elif problem := _plural_problem(msgid, places, entry, lang):
                found.append(f"{lang}: {msgid!r} {problem}")
            elif entry.string and not entry.plural and _fields(entry.string) != _fields(msgid):
                found.append(f"{lang}: {msgid!r} is translated with other {{fields}}: {entry.string!r}")
        for msgid in sorted(entries):
            if msgid not in used or not needed(used[msgid], lang):
                found.append(f"{lang}: {msgid!r} is used nowhere (remove it, or mark its use with N_)")
    return found


def catalogue_path(lang: str, locale: Path = LOCALE) -> Path:
    return locale / lang / "LC_MESSAGES" / "hailong.po"


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def update(used: dict[str, list[Place]], locale: Path = LOCALE) -> list[str]:
    """Append every missing msgid to each catalogue, to translate (English: the msgid itself); report stale
    entries without removing them (their block may belong to someone's work in progress)."""
    report: list[str] = []
    for lang in LANGS:
        path = catalogue_path(lang, locale)
        entries = read_catalogue(path)
        missing = [m for m, places in sorted(used.items()) if needed(places, lang) and m not in entries]
        if missing:
            block = [f"\n# new (just i18n update): {'check' if lang == SOURCE else 'translate'} these\n"]
            for msgid in missing:
                block.append(f"#: {used[msgid][0].where}\nmsgid {_po_string(msgid)}\n")
                plural = next((p.plural for p in used[msgid] if p.plural), "")
                if plural:
                    english = [msgid, plural] if lang == SOURCE else [""] * get_plural(lang).num_plurals
                    block.append(f"msgid_plural {_po_string(plural)}\n")
                    block.extend(f"msgstr[{n}] {_po_string(form)}\n" for n, form in enumerate(english))
                    block.append("\n")
                else:
                    block.append(f"msgstr {_po_string(msgid if lang == SOURCE else '')}\n\n")
            with path.open("a", encoding="utf-8") as f:
                f.write("".join(block).rstrip("\n") + "\n")
            report.append(f"{path.relative_to(ROOT)}: {len(missing)} msgid(s) appended")
    return report + [p for p in problems(used, _catalogues(locale)) if "used nowhere" in p]


def _catalogues(locale: Path = LOCALE) -> dict[str, dict[str, Entry]]:
    return {lang: read_catalogue(catalogue_path(lang, locale)) for lang in LANGS}


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command not in ("check", "update", "list"):
        print("usage: python -m web.messages [check|update|list]", file=sys.stderr)
        return 2
    used = extract_all()
    if command == "list":
        for msgid, places in sorted(used.items()):
            print(f"{msgid!r}: {', '.join(p.where for p in places)}")
        return 0
    lines = update(used) if command == "update" else problems(used, _catalogues())
    print("\n".join(lines) or f"{len(used)} msgids, every catalogue ({', '.join(LANGS)}) complete")
    return 1 if command == "check" and lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
