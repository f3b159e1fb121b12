"""The demo's reference data, built in memory with explicit ids: units, counters, officers, procedures."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

from api.demo import places
from api.demo.names import person
from api.demo.procedures import COMMUNE, DEPARTMENT, DISTRICT, Proc


@dataclass
class Officer:
    id: int
    code: str
    unit_id: int
    full_name: str
    title: str
    p_unsat: float  # chance a citizen is not satisfied with this officer
    p_top: float  # chance a satisfied citizen picks the top level


@dataclass
class Counter:
    id: int
    code: str
    unit_id: int
    name: str
    roster: list[Officer]  # primary first; the backups cover some weeks


@dataclass
class Unit:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    scale: int = 3
    weight: float = 0.0  # share of the province's dossiers
    agency: str = ""  # prefix of its dossier codes
    procs: list[tuple[int, Proc]] = field(default_factory=list)
    proc_cum: list[float] = field(default_factory=list)
    counters: list[Counter] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)


@dataclass
class Tree:
    units: list[Unit]
    procedures: list[tuple[int, Proc]]
    planted: dict[str, str] = field(default_factory=dict)

    def active(self) -> list[Unit]:
        return [u for u in self.units if u.weight > 0 and u.counters]


TITLES = {
    "centre": ("Chuyên viên", "Viên chức tiếp nhận"),
    "department": ("Chuyên viên", "Chuyên viên chính"),
    "district": (
        "Chuyên viên Phòng Tư pháp",
        "Chuyên viên Phòng Tài nguyên và Môi trường",
        "Chuyên viên Phòng Tài chính - Kế hoạch",
        "Chuyên viên Phòng Kinh tế - Hạ tầng",
    ),
    "commune": (
        "Công chức Tư pháp - Hộ tịch",
        "Công chức Địa chính - Xây dựng",
        "Công chức Văn phòng - Thống kê",
        "Công chức Văn hóa - Xã hội",
    ),
}
COUNTERS = {"centre": (2, 2), "department": (2, 4), "district": (5, 8), "commune": (1, 3)}
STAFF = {"centre": (3, 4), "department": (5, 9), "district": (10, 16), "commune": (4, 6)}


def build(rng: random.Random, scale: str) -> Tree:
    units: list[Unit] = []

    def add(code: str, name: str, kind: str, parent: Unit | None, weight: float, agency: str, n: int = 3) -> Unit:
        unit = Unit(len(units) + 1, code, name, kind, parent.id if parent else None, n, weight, agency)
        units.append(unit)
        return unit

    province = add(*places.PROVINCE, "province", None, 0.0, "")
    centre = add(*places.CENTRE, "centre", province, 0.2, "000.00.00.H36")
    for i, dep in enumerate(places.DEPARTMENTS, start=1):
        add(dep.code, dep.name, "department", centre, 1.6 * dep.weight, f"000.00.{20 + i}.H36", dep.scale)
    limit = places.COMMUNES_AT_SCALE[scale]
    for d, dist in enumerate(places.DISTRICTS, start=1):
        add(dist.code, dist.name, "district", province, 3.5 * dist.weight, f"000.00.{d:02d}.H36")
        parent = units[-1]
        communes = dist.communes[:limit] if limit else dist.communes
        for c, name in enumerate(communes, start=1):
            town = 2.0 if name.startswith(("Phường", "Thị trấn")) else 1.0
            add(
                f"{dist.code}.XA{c:02d}",
                name,
                "commune",
                parent,
                0.33 * dist.weight * town * rng.uniform(0.6, 1.4),
                f"000.{c:02d}.{d:02d}.H36",
            )
    procedures = _procedures(units)
    _staff(rng, units)
    tree = Tree(units, procedures)
    _plant(rng, tree)
    return tree


def _procedures(units: list[Unit]) -> list[tuple[int, Proc]]:
    numbered: dict[str, tuple[int, Proc]] = {}
    for proc in (*COMMUNE, *DISTRICT, *(p for group in DEPARTMENT.values() for p in group)):
        numbered[proc.code] = (len(numbered) + 1, proc)
    for unit in units:
        chosen: tuple[Proc, ...]
        if unit.kind == "commune":
            chosen = COMMUNE
        elif unit.kind == "district":
            chosen = DISTRICT
        elif unit.kind == "department":
            chosen = DEPARTMENT[unit.code]
        elif unit.kind == "centre":
            chosen = DEPARTMENT["HB.STP"][:1] + DEPARTMENT["HB.SGTVT"][:1]
        else:
            continue
        unit.procs = [numbered[p.code] for p in chosen]
        unit.proc_cum = list(accumulate(p.weight for p in chosen))
    return list(numbered.values())


def _staff(rng: random.Random, units: list[Unit]) -> None:
    officer_id = counter_id = 0
    for unit in units:
        if unit.kind == "province":
            continue
        base = rng.uniform(0.045, 0.11)
        for n in range(1, rng.randint(*STAFF[unit.kind]) + 1):
            officer_id += 1
            unit.officers.append(
                Officer(
                    officer_id,
                    f"{unit.code}-CB{n:02d}",
                    unit.id,
                    person(rng),
                    rng.choice(TITLES[unit.kind]),
                    min(0.5, base * rng.lognormvariate(0, 0.35)),
                    rng.uniform(0.5, 0.8),
                )
            )
        staff = unit.officers
        for n in range(1, rng.randint(*COUNTERS[unit.kind]) + 1):
            counter_id += 1
            primary = staff[(n - 1) % len(staff)]
            backups = rng.sample([o for o in staff if o is not primary], k=min(2, len(staff) - 1))
            unit.counters.append(Counter(counter_id, f"{unit.code}-Q{n}", unit.id, f"Quầy số {n}", [primary, *backups]))


def _plant(rng: random.Random, tree: Tree) -> None:
    """Choose who carries the planted patterns the analysis should find."""
    by_code = {u.code: u for u in tree.units}
    burst = by_code["HB.KB"].counters[1]
    burst.roster = burst.roster[:1]  # always the same officer at this kiosk
    burst.roster[0].p_unsat = 0.12
    weak = [by_code["HB.DB"].officers[2], by_code["HB.LCS.XA01"].officers[0]]
    for officer in weak:
        officer.p_unsat = 0.3
    gap = by_code["HB.TPHB"].counters[0].roster[0]  # pleasant at the kiosk, poorly rated on the receipt QR
    gap.p_unsat, gap.p_top = 0.03, 0.9
    tree.planted = {
        "burst_officer": burst.roster[0].code,
        "burst_counter": burst.code,
        "weak_officers": ", ".join(o.code for o in weak),
        "fast_tap_counter": by_code["HB.TL.XA02"].counters[0].code,
        "off_hours_counter": by_code["HB.LS"].counters[2].code,
        "staff_entry_unit": by_code["HB.MC.XA01"].code,
        "decline_unit": "HB.CP",
        "decline_from": "2026-08",
        "kiosk_qr_gap_officer": gap.code,
        "repeated_comment_counter": by_code["HB.LS"].counters[0].code,
        "five_level_unit": "HB.SKHDT",
    }
