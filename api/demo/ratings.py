"""How a citizen rates: level, reasons, comment; and the SIPAS-style questionnaire answers."""

from __future__ import annotations

import random
from itertools import accumulate

from api.demo.comments import EMERGENT, MILD, comment
from api.demo.tree import Officer
from api.surveys.schemas import NOT_APPLICABLE

Answer = tuple[str, int | None, str | None]

REASONS = {
    "waiting": 30.0,
    "guidance": 20.0,
    "documents": 18.0,
    "attitude": 12.0,
    "late": 6.0,
    "fees": 4.0,
    "facilities": 4.0,
    "online": 3.0,
    "harassment": 1.2,
    "other": 5.0,
}
_CODES = tuple(REASONS)
ITEMS = (
    "I.1",
    "I.2",
    "I.3",
    "I.4",
    "II.1",
    "II.2",
    "II.3",
    "II.4",
    "III.1",
    "III.2",
    "III.3",
    "III.4",
    "III.5",
    "IV.1",
    "IV.2",
    "IV.3",
    "V.1",
    "V.2",
    "V.3",
)
# Respondent profile (optional, never identifying): item code, weight of each option value 1..n.
PROFILE = (
    ("gender", (0.45, 0.55)),
    ("age", (0.12, 0.25, 0.25, 0.2, 0.12, 0.06)),
    ("ethnicity", (0.3, 0.7)),
    ("education", (0.15, 0.25, 0.3, 0.15, 0.14, 0.01)),
    ("occupation", (0.4, 0.15, 0.2, 0.1, 0.03, 0.07, 0.05)),
    ("area", (0.3, 0.7)),
    ("terrain", (0.85, 0.15, 0.0)),
)


class Rater:
    """Draws levels, reasons and comments with the demo's biases; caches the weight tables it needs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._cum: dict[tuple[bool, bool, bool, bool], list[float]] = {}

    def _reason_cum(self, weak: bool, walkin: bool, busy: bool, land: bool) -> list[float]:
        key = (weak, walkin, busy, land)
        if key not in self._cum:
            w = dict(REASONS)
            if weak:
                w["attitude"] *= 3
                w["harassment"] *= 4
                w["documents"] *= 1.5
            if walkin:
                w["late"] *= 5
            if busy:
                w["waiting"] *= 1.6
            if land:
                w["documents"] *= 1.5
                w["fees"] *= 2
            self._cum[key] = list(accumulate(w[c] for c in _CODES))
        return self._cum[key]

    def level(self, scale: int, p_unsat: float, p_top: float) -> int:
        rng = self.rng
        if rng.random() < p_unsat:
            return 1 if scale == 3 else rng.choices((3, 2, 1), (0.5, 0.35, 0.15))[0]
        top = rng.random() < p_top
        return (3 if top else 2) if scale == 3 else (5 if top else 4)

    def reasons(self, weak: bool, walkin: bool, busy: bool, land: bool) -> list[str]:
        rng = self.rng
        r = rng.random()
        k = 0 if r < 0.12 else 1 if r < 0.72 else 2
        if not k:
            return []
        return sorted(set(rng.choices(_CODES, cum_weights=self._reason_cum(weak, walkin, busy, land), k=k)))

    def comment(self, unsat: bool, reasons: list[str], month: int) -> str | None:
        rng = self.rng
        if unsat:
            if rng.random() >= 0.6:
                return None
            theme = rng.choice(reasons) if reasons else rng.choice(_CODES)
            if theme == "other":
                vneid_season = month in (1, 2, 3, 4)
                theme = rng.choices(EMERGENT, (6.0 if vneid_season else 1.0, 1.0, 1.0))[0]
            return comment(rng, theme)
        if rng.random() >= 0.27:
            return None
        r = rng.random()
        theme = "positive" if r < 0.72 else "neutral" if r < 0.88 else rng.choice(MILD)
        return comment(rng, theme)

    def answers(self, officer: Officer | None, late: bool, land: bool, gap: bool) -> list[Answer]:
        """One receipt questionnaire as the survey form stores it: (item, value, text_value)."""
        rng = self.rng
        p_unsat = officer.p_unsat if officer else 0.08
        mood = 0.9 - 1.2 * p_unsat + rng.gauss(0, 0.08)
        out: list[Answer] = []
        for item in ITEMS:
            r = rng.random()
            if r < 0.02:
                continue  # left blank
            if r < (0.55 if item.startswith("V.") else 0.05):
                out.append((item, None, NOT_APPLICABLE))
                continue
            p = mood
            if item == "IV.1" and late:
                p = 0.25
            elif item == "II.3" and land:
                p -= 0.1
            elif item.startswith("III.") and gap:
                p -= 0.35
            if rng.random() < p:
                out.append((item, 5 if rng.random() < 0.45 else 4, None))
            else:
                out.append((item, rng.choices((3, 2, 1), (0.6, 0.3, 0.1))[0], None))
        bad = 3.0 if gap or p_unsat > 0.2 else 1.0
        out.append(("harassment", rng.choices((0, 1, 2), (0.9, 0.085 * bad, 0.015 * bad))[0], None))
        out.append(("informal_payment", rng.choices((0, 1, 2), (0.93, 0.06 * bad, 0.01 * bad))[0], None))
        out.append(("channel", rng.choices((1, 2, 3), (0.5, 0.2, 0.3))[0], None))
        if rng.random() < 0.6:
            out += [(f"P.{i}", rng.choices((3, 2, 1), (0.3, 0.45, 0.25))[0], None) for i in range(1, 9)]
        for code, options in PROFILE:
            if rng.random() < 0.7:
                out.append((code, rng.choices(range(1, len(options) + 1), options)[0], None))
        if rng.random() < 0.2:
            theme = "positive" if mood > 0.75 else rng.choice(("waiting", "documents", "late", "guidance"))
            out.append(("comment", None, comment(rng, theme)))
        return out
