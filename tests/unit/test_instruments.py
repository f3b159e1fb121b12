"""Instruments are data: every packaged file loads, a broken one is named with its field."""

from __future__ import annotations

import json
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.instruments.loader import (
    Counter,
    GridItem,
    InstrumentError,
    Questionnaire,
    ScaleItem,
    load_all,
    load_file,
)
from api.surveys.schemas import NOT_APPLICABLE, Answer, read_form

SIPAS_ITEMS = [
    "I.1", "I.2", "I.3", "I.4", "II.1", "II.2", "II.3", "II.4", "III.1", "III.2", "III.3", "III.4", "III.5",
    "IV.1", "IV.2", "IV.3", "V.1", "V.2", "V.3",
]  # fmt: skip
RAW = resources.files("api.instruments").joinpath("sipas-service-2023.json").read_bytes()
Q = load_file("sipas-service-2023.json", RAW)
assert isinstance(Q, Questionnaire)


def sipas() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RAW)
    return data


def test_every_packaged_instrument_loads() -> None:
    found = load_all()
    assert {"counter-3", "counter-5", "sipas-service-2023"} <= set(found.by_code)
    assert isinstance(found.by_code["counter-3"], Counter)
    assert found.by_link[1].code == "sipas-service-2023"


def test_sipas_carries_the_19_items_and_the_national_questions() -> None:
    assert [i.code for i in Q.items if isinstance(i, ScaleItem)] == SIPAS_ITEMS
    assert [o.value for o in Q.scale] == [1, 2, 3, 4, 5]
    codes = set(Q.answer_codes)
    assert {"harassment", "informal_payment", "channel", "comment", "gender", "terrain"} <= codes
    grid = next(i for i in Q.items if isinstance(i, GridItem))
    assert [o.vi for o in grid.options] == ["Rất nhiều", "Nhiều", "Ít"] and len(grid.rows) == 8
    assert all(i.vi and i.en for i in Q.items)


@given(
    st.integers(0, len(sipas()["items"]) - 1),
    st.text(min_size=1).filter(lambda s: s not in {"scale", "choice", "grid", "profile", "text"}),
)
def test_a_bad_item_kind_names_the_file_and_the_field(n: int, kind: str) -> None:
    data = sipas()
    data["items"][n]["kind"] = kind
    with pytest.raises(InstrumentError) as err:
        load_file("sipas-service-2023.json", json.dumps(data).encode())
    assert "sipas-service-2023.json" in str(err.value) and f"$.items[{n}].kind" in str(err.value)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["items"][3].pop("vi"), "$.items[3]"),
        (lambda d: d["items"][3].update(extra=1), "$.items[3]"),
        (lambda d: d["items"][4].update(code="I.1"), "$.items[4].code"),
        (lambda d: d["items"][4].update(section="IX"), "$.items[4].section"),
        (lambda d: d["items"][19]["options"].append({"value": 0, "vi": "x", "en": "x"}), "$.items[19].options"),
        (lambda d: d.update(link=0), "$.link"),
        (lambda d: d.update(code="other"), "$.code"),
        (lambda d: d["scale"].pop(), "$.scale"),
    ],
)
def test_broken_files_say_where(change: Any, where: str) -> None:
    data = sipas()
    change(data)
    with pytest.raises(InstrumentError, match=r"sipas-service-2023\.json") as err:
        load_file("sipas-service-2023.json", json.dumps(data).encode())
    assert where in str(err.value)


def test_not_json_and_duplicate_links(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match=r"broken.json: not valid JSON"):
        load_file("broken.json", b"{")
    data = sipas()
    (tmp_path / "sipas-service-2023.json").write_text(json.dumps(data))
    data["code"] = "sipas-service-2024"
    (tmp_path / "sipas-service-2024.json").write_text(json.dumps(data))
    with pytest.raises(InstrumentError, match=r"sipas-service-2024.json: link 1 is already used"):
        load_all(tmp_path)


# -- reading a submitted form against the instrument --------------------------------------------------
def _choices(q: Questionnaire) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in q.items:
        if isinstance(item, ScaleItem):
            out[item.code] = [str(o.value) for o in q.scale] + [NOT_APPLICABLE]
        elif isinstance(item, GridItem):
            out.update({r.code: [str(o.value) for o in item.options] for r in item.rows})
        elif hasattr(item, "options"):
            out[item.code] = [str(o.value) for o in item.options]
    return out


@given(st.data())
def test_any_valid_form_is_stored_as_sent(data: st.DataObject) -> None:
    form: dict[str, list[str]] = {}
    for code, values in _choices(Q).items():
        if code in SIPAS_ITEMS or data.draw(st.booleans()):
            form[code] = [data.draw(st.sampled_from(values))]
    # A valid comment: no NUL (refused, PostgreSQL cannot store it), already NFC (the form normalises to it).
    text = st.text(st.characters(exclude_characters="\x00"), max_size=50)
    comment = data.draw(text.map(lambda s: unicodedata.normalize("NFC", s).strip()))
    form["comment"] = [comment]
    result = read_form(Q, form)
    assert result.errors == {}
    expected = {
        c: (Answer(c, text=v[0]) if v[0] == NOT_APPLICABLE else Answer(c, value=int(v[0])))
        for c, v in form.items()
        if c != "comment"
    }
    got = {a.item: a for a in result.answers if a.item != "comment"}
    assert got == expected
    assert [a.text for a in result.answers if a.item == "comment"] == ([comment] if comment else [])


@given(st.dictionaries(st.sampled_from([*Q.answer_codes, "x"]), st.lists(st.text(max_size=8), max_size=3)))
def test_any_form_gives_answers_or_errors_never_a_crash(form: dict[str, list[str]]) -> None:
    result = read_form(Q, form)
    assert set(result.errors) <= {i.code for i in Q.items}
    assert {a.item for a in result.answers} <= set(Q.answer_codes)


def test_missing_required_items_are_named() -> None:
    result = read_form(Q, {"I.1": ["5"], "I.2": ["7"], "harassment": ["1", "2"]})
    assert result.errors["I.2"] == "invalid" and result.errors["harassment"] == "invalid"
    assert result.errors["I.3"] == "required" and "I.1" not in result.errors
    assert "channel" not in result.errors  # optional
