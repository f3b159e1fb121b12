"""Decision 766 ratio, Circular 01 indicators 1 and 8, SIPAS-style indices: hand-worked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.official import (
    BANDS_766,
    TIMELINESS_BANDS,
    Band,
    IndexSpec,
    band_for,
    bands_from_data,
    choice_share,
    indicator_8,
    ratio_766,
    sipas_indices,
    timeliness,
)

INSTRUMENT = Path(__file__).parents[2] / "api" / "instruments" / "sipas-service-2023.json"


def test_ratio_766_beside_coverage() -> None:
    # 200 handled, 12 failing (dissatisfied, complained or late), 50 rated: (200 − 12)/200 = 0.94; coverage 0.25.
    r = ratio_766(200, 12, 50)
    assert (r.ratio.x, r.ratio.n, r.ratio.value) == (188, 200, pytest.approx(0.94))
    assert (r.coverage.x, r.coverage.n, r.coverage.value) == (50, 200, pytest.approx(0.25))
    assert r.label == "unofficial"
    assert ratio_766(5, 0, 5).ratio.suppressed
    with pytest.raises(ValueError):
        ratio_766(10, 11, 0)
    assert band_for(94.0, BANDS_766).code == "xuat_sac"
    assert band_for(90.0, BANDS_766).code == "xuat_sac" and band_for(89.99, BANDS_766).code == "tot"
    assert band_for(49.9, BANDS_766).code == "yeu"


def test_timeliness_indicator_1() -> None:
    # Margins in days (due − finished): 3, 1 → early (2 points each); 0 → on time (1); −1, −5 → late (0).
    # 10 dossiers: 4 early, 3 on time, 3 late → points 4·2 + 3·1 = 11, mean 1.1.
    t = timeliness([3, 1, 0, -1, -5, 2, 5, 0, 0, -2])
    assert t.counts == {"early": 4, "on_time": 3, "late": 3}
    assert t.points == 11 and t.mean_points == pytest.approx(1.1)
    assert t.shares["early"].value == pytest.approx(0.4) and t.shares["late"].x == 3 and t.shares["late"].n == 10
    assert timeliness([]).mean_points is None
    # Half-open edges: 0.999 is on time, exactly 1 is early, −0.001 is late.
    assert [band_for(m, TIMELINESS_BANDS).code for m in (0.999, 1.0, -0.001)] == ["on_time", "early", "late"]


def test_bands_as_data_must_tile_the_line() -> None:
    rows = [
        {"code": "early", "low": 2, "high": None, "points": 2},
        {"code": "on_time", "low": 0, "high": 2, "points": 1},
        {"code": "late", "low": None, "high": 0, "points": 0},
    ]
    bands = bands_from_data(rows)
    assert timeliness([1.5, 2.0], bands).counts == {"early": 1, "on_time": 1, "late": 0}
    # The provincial code's gap at 15 (> 15 and 12–15 written as (15, ∞) and [12, 15)) would be caught:
    with pytest.raises(ValueError, match="meet exactly"):
        bands_from_data([{"code": "a", "low": 16}, {"code": "b", "low": 12, "high": 15}, {"code": "c", "high": 12}])
    with pytest.raises(ValueError, match="−∞ to"):
        bands_from_data([{"code": "a", "low": 0}])
    with pytest.raises(ValueError, match="meet exactly"):
        timeliness([0], [Band("a", 0.0, None), Band("b", None, 1.0)])


def test_indicator_8() -> None:
    assert indicator_8(10, 10) == 2
    assert indicator_8(9, 10) == 1  # exactly 90 %
    assert indicator_8(89, 100) == 0
    assert indicator_8(0, 0) is None
    with pytest.raises(ValueError):
        indicator_8(3, 2)


def test_item_index_excludes_blanks_and_neutral_is_not_satisfied() -> None:
    # Answers 1:2, 2:3, 3:5, 4:20, 5:10 and 7 blanks/not applicable: valid 40, satisfied 30 → 0.75, excluded 7.
    p = choice_share({1: 2, 2: 3, 3: 5, 4: 20, 5: 10, 0: 7}, (4, 5), (1, 2, 3, 4, 5))
    assert (p.x, p.n, p.excluded) == (30, 40, 7)
    assert p.value == pytest.approx(0.75)
    # Harassment share: "some" or "many" (1, 2) among none/some/many.
    h = choice_share({0: 90, 1: 8, 2: 2}, (1, 2), (0, 1, 2))
    assert h.value == pytest.approx(0.10)


def spec_two_factors(**kw: object) -> IndexSpec:
    return IndexSpec({"A": ("A.1", "A.2"), "B": ("B.1",)}, **kw)  # type: ignore[arg-type]


def test_factor_and_service_indices_plain_means() -> None:
    counts = {
        "A.1": {5: 40, 4: 40, 3: 20},  # 80/100 = 0.80
        "A.2": {5: 30, 2: 20},  # 30/50 = 0.60
        "B.1": {4: 45, 1: 5},  # 45/50 = 0.90
    }
    out = sipas_indices(counts, spec_two_factors(version="t1"))
    a = out.factors["A"]
    # Factor A = (0.80 + 0.60)/2 = 0.70; n = 150 answers, x = 110.
    assert a.value == pytest.approx(0.70) and (a.n, a.x) == (150, 110)
    # Its interval is the mean of the items' Wilson bounds.
    lo = (out.items["A.1"].ci_low or 0) / 2 + (out.items["A.2"].ci_low or 0) / 2
    assert a.ci_low == pytest.approx(lo)
    # Service = (0.70 + 0.90)/2 = 0.80.
    assert out.service.value == pytest.approx(0.80) and not out.service.suppressed
    assert out.version == "t1" and "unofficial" in out.label


def test_weights_as_data() -> None:
    counts = {"A.1": {5: 80, 3: 20}, "A.2": {5: 60, 1: 40}, "B.1": {5: 90, 2: 10}}
    # Items 0.80 and 0.60 weighted 3:1 → A = (3·0.8 + 0.6)/4 = 0.75;
    # factors weighted A 1, B 3 → (0.75 + 3·0.9)/4 = 0.8625.
    spec = spec_two_factors(item_weights={"A.1": 3.0}, factor_weights={"B": 3.0})
    out = sipas_indices(counts, spec)
    assert out.factors["A"].value == pytest.approx(0.75)
    assert out.service.value == pytest.approx(0.8625)


def test_small_items_are_left_out_and_the_service_index_needs_every_factor() -> None:
    counts = {"A.1": {5: 80, 3: 20}, "A.2": {5: 3}, "B.1": {}}
    out = sipas_indices(counts, spec_two_factors(), excluded={"B.1": 100})
    assert out.items["A.2"].suppressed and out.items["B.1"].excluded == 100
    assert out.factors["A"].value == pytest.approx(0.80) and out.factors["A"].missing == ("A.2",)
    assert out.factors["B"].suppressed and out.service.suppressed and out.service.value is None


def test_spec_from_the_instrument_file() -> None:
    data = json.loads(INSTRUMENT.read_text(encoding="utf-8"))
    spec = IndexSpec.from_instrument(data)
    assert list(spec.factors) == ["I", "II", "III", "IV", "V"]
    assert spec.factors["III"] == ("III.1", "III.2", "III.3", "III.4", "III.5")
    assert spec.satisfied == (4, 5) and spec.valid == (1, 2, 3, 4, 5)
    weighted = IndexSpec.from_instrument({**data, "index": {"factor_weights": {"I": 2}, "version": "x"}})
    assert weighted.factor_weights == {"I": 2.0} and weighted.version == "x"
    with pytest.raises(ValueError, match="negative"):
        IndexSpec.from_instrument({**data, "index": {"item_weights": {"I.1": -1}}})
    with pytest.raises(ValueError, match="no scale items"):
        IndexSpec.from_instrument({"items": []})


answers = st.dictionaries(st.integers(0, 6), st.integers(0, 50), max_size=7)


@given(st.dictionaries(st.sampled_from(["A.1", "A.2", "B.1"]), answers))
def test_indices_stay_within_their_bounds(counts: dict[str, dict[int, int]]) -> None:
    out = sipas_indices(counts, spec_two_factors())
    for c in (*out.factors.values(), out.service):
        if c.suppressed:
            assert c.value is None
        else:
            assert c.ci_low is not None and c.ci_high is not None and c.value is not None
            assert 0.0 <= c.ci_low <= c.value <= c.ci_high <= 1.0
