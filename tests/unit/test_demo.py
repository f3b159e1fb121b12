"""The demo's building blocks: valid codes, real-looking names, text variants."""

from __future__ import annotations

import random
import re

from api.demo.calendar import FIRST, HOLIDAYS, LAST, TET, working_days
from api.demo.comments import EN, VI, comment, fold
from api.demo.procedures import COMMUNE, DEPARTMENT, DISTRICT
from api.demo.tree import build

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def test_fold_drops_diacritics_and_d_stroke() -> None:
    assert fold("Đăng ký khai sinh, chờ quá lâu") == "Dang ky khai sinh, cho qua lau"


def test_every_theme_has_both_languages() -> None:
    assert set(VI) == set(EN)
    rng = random.Random(1)
    texts = [comment(rng, theme) for theme in VI for _ in range(50)]
    assert all(0 < len(t) <= 500 for t in texts)
    assert any(t == fold(t) and t != t.upper() for t in texts)  # some typed without diacritics


def test_tree_codes_are_valid_and_unique() -> None:
    for scale in ("small", "province"):
        tree = build(random.Random(7), scale)
        codes = [u.code for u in tree.units]
        codes += [c.code for u in tree.units for c in u.counters]
        codes += [o.code for u in tree.units for o in u.officers]
        assert len(codes) == len(set(codes))
        assert all(CODE.match(c) and len(c) <= 64 for c in codes)
        assert {u.kind for u in tree.units} == {"province", "centre", "department", "district", "commune"}
    assert 150 <= len(build(random.Random(7), "province").units) <= 180


def test_procedure_codes_unique() -> None:
    procs = [*COMMUNE, *DISTRICT, *(p for group in DEPARTMENT.values() for p in group)]
    assert len({p.code for p in procs}) == len(procs)


def test_calendar_skips_tet_and_weekends() -> None:
    days = [d.day for d in working_days()]
    assert TET not in days and not HOLIDAYS & set(days)
    assert all(d.weekday() < 5 for d in days) and days[-1] <= LAST
    assert 240 <= len(days) <= 255
    two_years = [d.day for d in working_days(first=FIRST)]
    assert two_years[0] == FIRST and not HOLIDAYS & set(two_years) and 480 <= len(two_years) <= 510
