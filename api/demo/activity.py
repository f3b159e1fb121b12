"""A working day of the demo province: dossiers received, counter ratings, questionnaires, anomalies.

Rows are plain dicts with explicit ids, buffered until the caller writes them in one transaction.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from api.demo.calendar import (
    DAY_MS,
    DROP_FROM,
    FIRST,
    LAST,
    LAST_MS,
    PEAK,
    SLOT_CUM,
    SLOTS,
    YEAR_FIRST,
    Day,
    working_days,
)
from api.demo.procedures import Proc
from api.demo.ratings import Rater
from api.demo.tree import Counter, Officer, Tree, Unit

Row = dict[str, Any]
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Volume:
    dossiers: int  # per year
    first: date  # the first day generated
    rated: float  # share of direct dossiers rated at the kiosk
    linked: float  # share of those ratings that carry the dossier code
    walkin: float  # ratings without a dossier (pick-ups, questions) per direct dossier
    responses: float  # share of returned dossiers answering the receipt questionnaire
    burst_days: float  # share of days with a burst at the planted kiosk


VOLUMES = {
    "small": Volume(30_000, FIRST, 0.8, 0.75, 0.45, 0.06, 0.3),
    "province": Volume(1_100_000, YEAR_FIRST, 0.8, 0.75, 0.45, 0.025, 0.25),
}
REPEATED = "Cán bộ quầy này phục vụ rất tốt, đề nghị khen thưởng"  # the planted repeated comment


@dataclass
class Batch:
    dossiers: list[Row] = field(default_factory=list)
    ratings: list[Row] = field(default_factory=list)
    reasons: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    answers: list[Row] = field(default_factory=list)

    def size(self) -> int:
        return len(self.dossiers) + len(self.ratings) + len(self.answers)


class Activity:
    def __init__(
        self, rng: random.Random, tree: Tree, scale: str, first: date | None = None, dossiers: int | None = None
    ) -> None:
        self.rng = rng
        self.rater = Rater(rng)
        self.vol = replace(VOLUMES[scale], dossiers=dossiers) if dossiers else VOLUMES[scale]
        self.days = working_days(LAST + timedelta(days=120), first or self.vol.first)
        self.span = [d for d in self.days if d.day <= LAST]
        self.units = tree.active()
        self.unit_cum = list(accumulate(u.weight for u in self.units))
        years = ((LAST - self.span[0].day).days + 1) / 365
        self.base = self.vol.dossiers * years / sum(d.factor for d in self.span)
        self.dossier_id = self.rating_id = self.response_id = 0
        self.batch = Batch()
        counters = {c.code: c for u in tree.units for c in u.counters}
        plant = tree.planted
        self.burst = counters[plant["burst_counter"]]
        self.fast_counter = counters[plant["fast_tap_counter"]].id
        self.off_hours = counters[plant["off_hours_counter"]]
        self.repeat = counters[plant["repeated_comment_counter"]]
        self.gap = plant["kiosk_qr_gap_officer"]
        self.staff_unit = next(u.id for u in tree.units if u.code == plant["staff_entry_unit"])
        self.decline = {u.id for u in tree.units if u.code.startswith(plant["decline_unit"])}
        self.weak = {code.strip() for code in plant["weak_officers"].split(",")}
        self.late_bias = {u.id: rng.uniform(0.5, 2.0) for u in tree.units}
        self.skew = {
            c.id: int(rng.gauss(0, 3000)) if rng.random() < 0.9 else rng.randint(-300_000, 300_000)
            for u in tree.units
            for c in u.counters
        }

    # -- helpers ---------------------------------------------------------------------------------------------
    def on_duty(self, counter: Counter, week: int) -> Officer:
        roster = counter.roster
        if len(roster) == 1 or (week * 31 + counter.id) % 10 < 7:
            return roster[0]
        return roster[1 + week % (len(roster) - 1)]

    def _times(self, day: Day, k: int) -> list[int]:
        rng = self.rng
        slots = rng.choices(SLOTS, cum_weights=SLOT_CUM, k=k)
        return [day.start_ms + int((s + rng.random() * 1800) * 1000) for s in slots]

    def _key(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- one day ---------------------------------------------------------------------------------------------
    def day(self, day: Day) -> None:
        rng = self.rng
        n = max(0, round(self.base * day.factor * rng.uniform(0.9, 1.1)))
        units = rng.choices(self.units, cum_weights=self.unit_cum, k=n)
        times = self._times(day, n)
        received: list[tuple[int, Unit, Proc, int, str]] = []
        for unit, t in zip(units, times, strict=True):
            proc_id, proc = rng.choices(unit.procs, cum_weights=unit.proc_cum)[0]
            r = rng.random()
            online = proc.online * (1.3 if unit.kind == "department" else 1.0)
            if r < online:
                received.append((day.start_ms + rng.randint(6 * HOUR_MS, 23 * HOUR_MS), unit, proc, proc_id, "online"))
            else:
                received.append((t, unit, proc, proc_id, "postal" if r < online + 0.03 else "direct"))
        received.sort(key=lambda x: x[0])
        ratings: list[Row] = []
        seq: dict[int, int] = {}
        stamp = day.day.strftime("%y%m%d")
        direct = 0
        for t, unit, proc, proc_id, channel in received:
            seq[unit.id] = seq.get(unit.id, 0) + 1
            self.dossier_id += 1
            if channel == "direct":
                direct += 1
                counter = rng.choice(unit.counters)
                officer = self.on_duty(counter, day.week)
            else:
                officer = rng.choice(unit.officers)
            code = f"{unit.agency}-{stamp}-{seq[unit.id]:04d}"
            late = self._dossier(day, t, unit, proc, proc_id, channel, officer, code)
            if channel == "direct" and rng.random() < self.vol.rated:
                linked = self.dossier_id if rng.random() < self.vol.linked else None
                ratings.append(
                    self._rating(
                        day,
                        t + rng.randint(20_000, 240_000),
                        unit,
                        counter,
                        officer,
                        linked,
                        walkin=False,
                        land=proc.land or late,
                    )
                )
        self._walkins(day, round(direct * self.vol.walkin), ratings)
        self._anomalies(day, ratings)
        ratings.sort(key=lambda row: row["created_at"])
        for row in ratings:
            self.rating_id += 1
            row["id"] = self.rating_id
            for reason in row.pop("_reasons"):
                self.batch.reasons.append({"rating_id": self.rating_id, "reason": reason})
        self.batch.ratings.extend(ratings)

    def _dossier(
        self, day: Day, t: int, unit: Unit, proc: Proc, proc_id: int, channel: str, officer: Officer, code: str
    ) -> bool:
        rng = self.rng
        due_day = self.days[min(day.n + max(1, proc.legal_days), len(self.days) - 1)]
        due = max(due_day.start_ms + (t - day.start_ms), t)
        late = rng.random() < 0.025 * self.late_bias[unit.id] * (5 if proc.land else 1)
        returned: int | None
        if late:
            returned = due + HOUR_MS + int(rng.expovariate(1 / (4 * DAY_MS)))
        else:
            returned = t + int((due - t) * rng.uniform(0.25, 1.0))
        if returned > LAST_MS or rng.random() < 0.004:
            returned = None
        result = None
        if returned is not None:
            r = rng.random()
            result = "approved" if r < 0.94 else "refused" if r < 0.985 else "withdrawn"
        self.batch.dossiers.append(
            {
                "id": self.dossier_id,
                "code": code,
                "unit_id": unit.id,
                "procedure_id": proc_id,
                "officer_id": officer.id,
                "channel": channel,
                "received_at": t,
                "due_at": due,
                "returned_at": returned,
                "result": result,
                "created_at": t,
                "updated_at": returned or t,
            }
        )
        if returned is not None and rng.random() < self.vol.responses:
            submitted = returned + rng.randint(HOUR_MS, 96 * HOUR_MS)
            if submitted <= LAST_MS:
                self._response(submitted, officer, late, proc.land)
        return late

    def _response(self, submitted: int, officer: Officer, late: bool, land: bool) -> None:
        self.response_id += 1
        rid = self.response_id
        self.batch.responses.append(
            {
                "id": rid,
                "dossier_id": self.dossier_id,
                "instrument": "sipas-service-2023",
                "instrument_version": "2023.1",
                "language": "en" if self.rng.random() < 0.05 else "vi",
                "submitted_at": submitted,
            }
        )
        gap = officer.code == self.gap
        for item, value, text in self.rater.answers(officer, late, land, gap):
            self.batch.answers.append({"response_id": rid, "item": item, "value": value, "text_value": text})

    def _walkins(self, day: Day, k: int, out: list[Row]) -> None:
        rng = self.rng
        units = rng.choices(self.units, cum_weights=self.unit_cum, k=k)
        for unit, t in zip(units, self._times(day, k), strict=True):
            counter = rng.choice(unit.counters)
            out.append(self._rating(day, t, unit, counter, self.on_duty(counter, day.week), None, walkin=True))

    # -- ratings ---------------------------------------------------------------------------------------------
    def _rating(
        self,
        day: Day,
        t: int,
        unit: Unit,
        counter: Counter,
        officer: Officer,
        dossier_id: int | None,
        *,
        walkin: bool,
        land: bool = False,
    ) -> Row:
        rng = self.rng
        busy = (t - day.start_ms) // 1000 // 1800 * 1800 in PEAK or day.pre_tet
        p = officer.p_unsat * (1.12 - 0.24 * day.progress) * (1.25 if busy else 1.0) * (1.2 if walkin else 1.0)
        if unit.id in self.decline and day.day >= DROP_FROM:
            p *= 3.0
        staff = rng.random() < (0.4 if unit.id == self.staff_unit else 0.0015)
        level = unit.scale if staff and rng.random() < 0.9 else self.rater.level(unit.scale, p, officer.p_top)
        unsat = level < unit.scale - 1
        asks = level <= (1 if unit.scale == 3 else 2)
        reasons = self.rater.reasons(officer.code in self.weak, walkin, bool(busy), land) if asks else []
        tap = int(rng.lognormvariate(8.3, 0.5))
        if rng.random() < (0.3 if counter.id == self.fast_counter else 0.002):
            tap = rng.randint(40, 250)
        return self._row(
            t,
            unit,
            counter,
            officer,
            dossier_id,
            level,
            reasons,
            self.rater.comment(unsat, reasons, day.day.month),
            tap,
            staff,
        )

    def _row(
        self,
        t: int,
        unit: Unit,
        counter: Counter,
        officer: Officer,
        dossier_id: int | None,
        level: int,
        reasons: list[str],
        text: str | None,
        tap: int,
        staff: bool = False,
    ) -> Row:
        rng = self.rng
        delay = rng.randint(60_000, 1_200_000) if rng.random() < 0.005 else rng.randint(80, 900)
        return {
            "id": 0,
            "idempotency_key": self._key(),
            "instrument": f"counter-{unit.scale}",
            "unit_id": unit.id,
            "counter_id": counter.id,
            "officer_id": officer.id,
            "dossier_id": dossier_id,
            "device_id": None if staff else counter.id,
            "source": "staff" if staff else "kiosk",
            "level": level,
            "scale": unit.scale,
            "comment": text,
            "created_at": t + delay,
            "client_time": None if staff else t + self.skew[counter.id],
            "time_to_tap_ms": None if staff else tap,
            "_reasons": reasons,
        }

    def _anomalies(self, day: Day, out: list[Row]) -> None:
        """Bursts of top marks at one kiosk, off-hours taps."""
        rng = self.rng
        if rng.random() < self.vol.burst_days:
            counter = self.burst
            unit = next(u for u in self.units if u.id == counter.unit_id)
            t = self._times(day, 1)[0]
            for _ in range(rng.randint(8, 16)):
                t += rng.randint(2_000, 7_000)
                out.append(
                    self._row(t, unit, counter, counter.roster[0], None, unit.scale, [], None, rng.randint(350, 900))
                )
        if rng.random() < 0.6:
            self._off_hours(day, self.off_hours, out, rng.randint(1, 2))
        if rng.random() < 0.25:
            unit = rng.choice(self.units)
            self._off_hours(day, rng.choice(unit.counters), out, 1)
        if rng.random() < 0.08:
            self._repeated(day, out)

    def _repeated(self, day: Day, out: list[Row]) -> None:
        """The same praise typed again and again at one kiosk, spread over the day."""
        rng = self.rng
        counter = self.repeat
        unit = next(u for u in self.units if u.id == counter.unit_id)
        officer = self.on_duty(counter, day.week)
        for t in self._times(day, rng.randint(4, 6)):
            out.append(self._row(t, unit, counter, officer, None, unit.scale, [], REPEATED, rng.randint(1500, 6000)))

    def _off_hours(self, day: Day, counter: Counter, out: list[Row], k: int) -> None:
        rng = self.rng
        unit = next(u for u in self.units if u.id == counter.unit_id)
        officer = self.on_duty(counter, day.week)
        for _ in range(k):
            hour = rng.choice((5, 18, 19, 20, 21, 22))
            t = day.start_ms + hour * HOUR_MS + rng.randint(0, HOUR_MS - 1)
            tap = int(rng.lognormvariate(8, 0.5))
            out.append(self._row(t, unit, counter, officer, None, unit.scale, [], None, tap))
