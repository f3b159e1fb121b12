"""The one message catalogue: every msgid the product uses (Python, templates, kiosk, instruments) is in
every catalogue and translated, nothing else is, and the extraction and the check catch what they claim."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from analysis.report import texts as report_texts
from api.instruments.loader import load_all
from kiosk import pages as kiosk_pages
from kiosk.pages import load_assets
from web import messages
from web.i18n import LANGS, N_, Text, _languages, lang_of, language_name, switch_to, text
from web.messages import Entry, Place, extract_all, extract_code, problems, read_catalogue


def test_every_msgid_in_use_is_in_every_catalogue_and_every_entry_is_used() -> None:
    used = extract_all()
    catalogues = {lang: read_catalogue(messages.catalogue_path(lang)) for lang in LANGS}
    assert problems(used, catalogues) == []


def test_the_extraction_sees_every_kind_of_source() -> None:
    used = extract_all()
    where = {msgid: {p.where.split(":")[0].split(" ")[0] for p in places} for msgid, places in used.items()}
    assert "web/templates/survey/form.html" in where["— choose —"]  # t("…") in a Jinja template
    assert "api/surveys/pages.py" in where["This link has expired"]  # N_("…") in Python
    assert "kiosk/static/app.js" in where["Dossier: {code}"]  # t('…', {…}) in the kiosk's script
    assert "kiosk/static/index.html" in where["Pair this kiosk with a counter"]  # data-t="…"
    assert "analysis/report/html.py" in where["Citizen satisfaction analysis report"]  # the batch's report.html
    assert "analysis/report/sections.py" in where["Burst of ratings"]  # N_("…") for a code in its files
    sipas = load_all().questionnaire("sipas-service-2023")
    assert "api/instruments/sipas-service-2023.json" in where[sipas.items[0].en]  # instrument text
    assert all(p.instrument for p in used[sipas.items[0].en])


SOURCES = {
    "api/x.py": 'N_("Marked")\nt("Hello {name}", name=who)\nt(variable)\nt.ngettext("{n} day", "{n} days", n)\n',
    "web/templates/a.html": (
        '<p>{{ t("In a template") }}</p>{{ t.percent(0.5) }}\n{{ t.ngettext("{n} rating", "{n} ratings", n) }}'
    ),
    "web/f.py": "x = f\"<b>{t('In an f-string — “quoted”')}</b>\"\n",
    "kiosk/static/k.js": "el.textContent = `${t('In a template string')}: ${x}`;\nconst e = N_('Marked too');\n",
    "kiosk/static/k.html": '<h1 data-t="From an attribute"></h1>',
    "analysis/report/r.py": 'x = f"<h2>{t(\'In the report\')}</h2>"\nKIND = N_("A report code")\n',
}


def test_extraction_of_each_language_of_source(tmp_path: Path) -> None:
    for name, body in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    used = extract_code(tmp_path)
    assert sorted(used) == [
        "A report code",
        "From an attribute",
        "Hello {name}",
        "In a template",
        "In a template string",
        "In an f-string — “quoted”",
        "In the report",
        "Marked",
        "Marked too",
        "{n} day",
        "{n} rating",
    ]
    assert used["Hello {name}"] == [Place("api/x.py:2")]
    assert used["{n} day"] == [Place("api/x.py:4", plural="{n} days")]
    assert used["{n} rating"] == [Place("web/templates/a.html:2", plural="{n} ratings")]


def test_the_report_reads_the_same_catalogue_as_data() -> None:
    """analysis/ never imports web/: report.html reads the very same .po files by path (analysis/report/texts.py)
    and finds there what the product's own reader finds."""
    everything = extract_all()
    used = [m for m, places in everything.items() if any(p.where.startswith("analysis/report/") for p in places)]
    assert len(used) > 50
    catalogues = {lang: read_catalogue(messages.catalogue_path(lang)) for lang in LANGS}
    del catalogues["vi"]["Burst of ratings"]  # a report word lost from a catalogue fails the check
    catalogues["en"]["Old report word"] = Entry("Old report word")  # and so does one the report no longer uses
    found = problems(everything, catalogues)
    assert [line.split(" (used at ")[0] for line in found] == [
        "vi: missing 'Burst of ratings'",
        "en: 'Old report word' is used nowhere (remove it, or mark its use with N_)",
    ]
    assert report_texts.LANGS == LANGS
    for lang in LANGS:
        assert report_texts.catalogue_path(lang).samefile(messages.catalogue_path(lang))
        words, t = report_texts.words(lang), text(lang)
        assert [words(m) for m in used] == [t(m) for m in used]
        assert report_texts.language_name(lang) == language_name(lang)
    vi = report_texts.words("vi")
    assert vi("Citizen satisfaction analysis report") == "Báo cáo phân tích mức độ hài lòng của người dân"
    figure = vi(
        "{on_time} on time of {due} due, {pending} not yet due: {points} points", on_time=1, due=2, pending=0, points=50
    )
    assert figure == "1 đúng hạn / 2 đến hạn, 0 chưa đến hạn: 50 điểm"


def test_the_check_catches_missing_empty_fuzzy_misfielded_and_stale_entries() -> None:
    used = {
        "Send": [Place("a.py:1")],
        "Hello {name}": [Place("a.py:2")],
        "Not applicable": [Place("x.json $.not_applicable", instrument=True)],
        "Skip": [Place("a.py:3")],
    }
    good = {
        "vi": {"Send": Entry("Gửi"), "Hello {name}": Entry("Chào {name}"), "Skip": Entry("Bỏ qua")},
        "en": {
            "Send": Entry(""),
            "Hello {name}": Entry("Hello {name}"),
            "Skip": Entry("Skip"),
            "Not applicable": Entry(""),
        },
    }
    assert problems(used, good) == []  # English may leave a translation empty: it reads as the msgid
    bad = {
        "vi": {
            "Send": Entry(""),
            "Hello {name}": Entry("Chào {ten}"),
            "Skip": Entry("Bỏ qua", fuzzy=True),
            "Not applicable": Entry("Không áp dụng"),  # the instrument's own wording is shown in Vietnamese
            "Gone": Entry("Đã bỏ"),
        },
        "en": {"Send": Entry("Send"), "Hello {name}": Entry("Hello {name}"), "Skip": Entry("Skip")},
    }
    found = problems(used, bad)
    assert found == [
        "vi: 'Hello {name}' is translated with other {fields}: 'Chào {ten}'",
        "vi: empty translation of 'Send' (used at a.py:1)",
        "vi: fuzzy translation of 'Skip': review it and drop the flag",
        "vi: 'Gone' is used nowhere (remove it, or mark its use with N_)",
        "vi: 'Not applicable' is used nowhere (remove it, or mark its use with N_)",
        "en: missing 'Not applicable' (used at x.json $.not_applicable)",
    ]


def test_update_appends_what_is_missing_and_leaves_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n# mine\nmsgid "Send"\nmsgstr "{}"\n'
    for lang, send in (("vi", "Gửi"), ("en", "Send")):
        path = messages.catalogue_path(lang, tmp_path)
        path.parent.mkdir(parents=True)
        path.write_text(header.format(send) + 'msgid "Old"\nmsgstr "Old"\n', encoding="utf-8")
    monkeypatch.setattr(messages, "ROOT", tmp_path)
    used = {"Send": [Place("a.py:1")], 'Say "hi"': [Place("a.py:2")]}
    report = messages.update(used, tmp_path)
    assert report[:2] == [
        "vi/LC_MESSAGES/hailong.po: 1 msgid(s) appended",
        "en/LC_MESSAGES/hailong.po: 1 msgid(s) appended",
    ]
    assert any("'Old' is used nowhere" in line for line in report)
    vi = read_catalogue(messages.catalogue_path("vi", tmp_path))
    en = read_catalogue(messages.catalogue_path("en", tmp_path))
    assert vi['Say "hi"'] == Entry("") and en['Say "hi"'] == Entry('Say "hi"')
    assert vi["Send"] == Entry("Gửi") and "Old" in vi  # nothing else is touched
    assert "# mine" in messages.catalogue_path("vi", tmp_path).read_text(encoding="utf-8")


def test_numbers_percentages_and_dates_per_locale() -> None:
    vi, en = text("vi"), text("en")
    assert (vi.percent(0.9234), en.percent(0.9234), vi.percent(None)) == ("92,3 %", "92.3%", "—")
    assert (vi.number(1234), en.number(1234), vi.number(1234.56, 1)) == ("1.234", "1,234", "1.234,6")
    assert en.date(date(2026, 12, 1)) == "Dec 1, 2026" and "12" in vi.date(date(2026, 12, 1))
    assert "2026" in vi.datetime(datetime(2026, 12, 1, 9, 30))


def test_text_translates_fills_fields_and_shows_instrument_wording() -> None:
    vi = text("vi")
    assert vi("Dossier: {code}", code="A-1") == "Hồ sơ: A-1"
    assert vi("No such msgid") == "No such msgid"  # the English source, never a crash
    assert N_("Marked") == "Marked"
    level = load_all().by_code["counter-3"].levels[0]  # type: ignore[union-attr]
    assert vi.wording(level) == "Rất hài lòng" and text("en").wording(level) == "Very satisfied"
    french = Text("fr", {"Very satisfied": "Très satisfait"})
    assert french.wording(level) == "Très satisfait"  # another language: the catalogue translates the source
    assert french.table(["Very satisfied", "Unknown"]) == {"Very satisfied": "Très satisfait"}


def test_languages_are_the_catalogues_found(tmp_path: Path) -> None:
    for lang in ("en", "fr", "vi"):
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / lang / "LC_MESSAGES" / "hailong.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    (tmp_path / "de").mkdir()  # a folder without a catalogue is no language
    assert _languages(tmp_path) == ("vi", "en", "fr")
    assert LANGS == ("vi", "en")
    assert (lang_of("en"), lang_of("xx"), lang_of(None)) == ("en", "vi", "vi")
    assert (switch_to("vi"), switch_to("en"), switch_to("xx")) == ("en", "vi", "vi")
    assert (language_name("vi"), language_name("en"), language_name("fr")) == ("Tiếng Việt", "English", "Français")


WORDS = re.compile(r'<script type="application/json" id="words">(.*?)</script>')


def test_the_kiosk_page_carries_its_words_and_its_version_follows_them(monkeypatch: pytest.MonkeyPatch) -> None:
    load_assets.cache_clear()
    try:
        page = load_assets()["index.html"].body.decode()
        found = WORDS.search(page)
        assert found is not None
        words = json.loads(found.group(1))
        assert list(words["names"]) == list(LANGS) and words["names"]["vi"] == "Tiếng Việt"
        assert words["vi"]["Pair this kiosk with a counter"] == "Ghép nối kiosk với quầy"
        assert words["vi"]["{n} waiting"] == "{n} chờ gửi"
        assert "Very satisfied" not in words["vi"]  # the instrument's own wording comes with its config
        assert words["en"] == {}  # English reads as the msgids themselves
        worker = load_assets()["sw.js"].body
        monkeypatch.setattr(kiosk_pages, "text", lambda lang: Text(lang, {"Skip": "</script><b>"}))
        load_assets.cache_clear()
        changed = load_assets()
        assert changed["sw.js"].body != worker  # a new translation is a new version: the worker updates
        found = WORDS.search(changed["index.html"].body.decode())
        assert found is not None and json.loads(found.group(1))["vi"] == {"Skip": "</script><b>"}
    finally:
        load_assets.cache_clear()


def test_plural_forms_are_extracted_checked_and_chosen_per_language() -> None:
    used = {"{n} rating": [Place("a.py:1", plural="{n} ratings")]}
    vi_ok = Entry("{n} lượt", plural="{n} ratings", forms=("{n} lượt",))
    en_ok = Entry("{n} rating", plural="{n} ratings", forms=("{n} rating", "{n} ratings"))
    assert problems(used, {"vi": {"{n} rating": vi_ok}, "en": {"{n} rating": en_ok}}) == []
    bad = {
        "vi": {"{n} rating": Entry("{n} lượt")},  # no plural forms
        "en": {"{n} rating": Entry("", plural="{n} ratings", forms=("{n} rating",))},  # English has two
    }
    assert problems(used, bad) == [
        "vi: '{n} rating' is used with plural forms and must have them, or neither",
        "en: '{n} rating' needs 2 plural form(s), has 1",
    ]
    en, vi = Text("en", {}), Text("vi", {}, {"{n} rating": ("{n} lượt",)})
    assert (en.ngettext("{n} rating", "{n} ratings", 1), en.ngettext("{n} rating", "{n} ratings", 1234)) == (
        "1 rating",
        "1,234 ratings",
    )
    assert vi.ngettext("{n} rating", "{n} ratings", 1234) == "1.234 lượt"
