"""Words and formatted numbers for the dashboard's figures (api/dashboard/views.py): what a card or a table cell
shows. Nothing is computed here but formatting: every value, interval, suppression and change comes from the
data layer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from api.instruments.loader import ScaleItem, Section, load_all
from web.charts import Bar
from web.i18n import N_, Text

INSTRUMENT = "sipas-service-2023"
MEASURES = {
    "counter_rate": N_("Counter satisfaction rate"),
    "ratio_766": N_("Decision 766 ratio (unofficial)"),
    "coverage": N_("Coverage: rated of dossiers handled"),
    "sipas_service": N_("SIPAS-style service index (receipt QR)"),
    "harassment_share": N_("Reported harassment"),
    "payment_share": N_("Reported informal payments"),
    "early_share": N_("Returned early"),
    "on_time_share": N_("Returned on time"),
    "late_share": N_("Returned late"),
}
LOWER_IS_BETTER = frozenset({"harassment_share", "payment_share", "late_share"})


@cache
def factors() -> dict[str, Section]:
    """The SIPAS-style factors: the questionnaire's sections that hold scale items, by code."""
    q = load_all().questionnaire(INSTRUMENT)
    scaled = {i.section for i in q.items if isinstance(i, ScaleItem)}
    return {s.code: s for s in q.sections if s.code in scaled}


def measure_name(measure: str, t: Text) -> str:
    if measure.startswith("sipas_factor:"):
        code = measure.split(":", 1)[1]
        section = factors().get(code)
        return t("Factor {code}: {name}", code=code, name=t.wording(section) if section else code)
    return t(MEASURES.get(measure, measure))


@dataclass(frozen=True)
class Card:
    measure: str
    label: str
    value: str | None  # None: too few to judge
    low: str
    high: str
    n: str
    change: str  # words, only when the change is significant
    change_way: str  # "up", "down" or ""
    change_good: bool
    tested: bool


def card(f: Any, t: Text) -> Card:
    change, way, good, tested = "", "", False, False
    c = f.change
    if c is not None and c.tested:
        tested = True
        if c.significant and c.difference is not None:
            way = "up" if c.difference > 0 else "down"
            points = t.number(abs(c.difference) * 100, 1)
            words = (
                N_("Up {points} points on the period before")
                if way == "up"
                else N_("Down {points} points on the period before")
            )
            change = t(words, points=points)
            good = (way == "up") != (f.measure in LOWER_IS_BETTER)
    return Card(
        f.measure,
        measure_name(f.measure, t),
        None if f.suppressed or f.value is None else t.percent(f.value),
        t.percent(f.ci_low),
        t.percent(f.ci_high),
        t.number(f.n),
        change,
        way,
        good,
        tested,
    )


def bar(label: str, f: Any) -> Bar:
    shown = not f.suppressed and f.value is not None
    return Bar(label, f.n, f.value if shown else None, f.ci_low if shown else None, f.ci_high if shown else None)
