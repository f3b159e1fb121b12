"""Read the store into ``Facts``: aggregated rows keyed by codes, and the few candidate rows of the flags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from analysis.report.facts import Facts, Unit
from analysis.report.settings import Settings
from analysis.stats.official import IndexSpec
from api.db import Store, Tx
from api.insights import dossier_rollups, evidence, queries, rollups
from api.insights.periods import Months, months
from api.insights.queries import CHANNELS, MARGINS, SOURCES

INSTRUMENT = "sipas-service-2023"
EVIDENCE_IDS = 20  # rating ids kept as evidence per flag
# What a reading may skip: the dashboard reads only the parts its page shows; the batch reads all.
USE_ROLLUPS = True  # False: read every count from the raw tables (a test compares the two)
PARTS = frozenset({"ratings", "dossiers", "linked", "answers", "flags"})


class ScopeError(ValueError):
    """A unit code that is not in the store, or a period with nothing to analyse."""


def _instrument() -> dict[str, Any]:
    """The receipt questionnaire as plain data (its items, sections, scale and any index rule)."""
    import msgspec

    from api.instruments.loader import load_all

    return msgspec.to_builtins(load_all().questionnaire(INSTRUMENT))  # type: ignore[no-any-return]


@dataclass
class Reading:
    """What one analysis run reads with: the store, its months and units, and where the rows go."""

    store: Store
    m: Months
    ids: list[int] | None
    facts: Facts
    names: dict[str, dict[int, str]]
    code_of: dict[int, str]
    settings: Settings
    progress: Callable[[str], None]
    taps: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # counter -> (unit, timed, fast)
    days: tuple[date, date] | None = None  # the period, when every unit in it keeps the root's time zone
    parts: frozenset[str] = PARTS
    fold: dict[int, int] | None = None  # unit id -> the unit it is counted under (the rollups sum the rest)


async def gather(
    store: Store,
    first: date,
    last: date,
    unit_code: str | None,
    settings: Settings,
    progress: Callable[[str], None],
    parts: frozenset[str] = PARTS,
    fold_depth: int | None = None,
) -> Facts:
    """The counts of ``parts`` for the unit's subtree and period. With ``fold_depth`` (0: the unit, 1: its
    children) the rollups sum every unit into its ancestor at that depth and leave out counters, officers,
    procedures and channels (rows then say "" and None there): for a caller that shows only those units."""
    unit_rows = await store.read(queries.units)
    if not unit_rows:
        raise ScopeError("the database has no units: nothing to analyse (fill it first, e.g. hailong demo-data)")
    by_id = {int(u["id"]): u for u in unit_rows}
    code_of = {i: str(u["code"]) for i, u in by_id.items()}
    if unit_code is None:
        roots = [u for u in unit_rows if u["parent_id"] is None]
        root = roots[0] if len(roots) == 1 else None
    else:
        root = next((u for u in unit_rows if u["code"] == unit_code), None)
        if root is None:
            raise ScopeError(f"--unit {unit_code!r}: no unit with that code")
    subtree = subtree_of(unit_rows, int(root["id"])) if root else set(by_id)
    ids = None if root is None or len(subtree) == len(by_id) else sorted(subtree)
    tz = str(root["timezone"]) if root else "Asia/Ho_Chi_Minh"
    m = months(first, last, tz)
    names = await store.read(queries.names)
    units = [
        Unit(code_of[i], str(by_id[i]["name"]), str(by_id[i]["kind"]), code_of.get(by_id[i]["parent_id"] or -1))
        for i in sorted(subtree)
    ]
    facts = Facts(
        root=code_of[int(root["id"])] if root else "",
        units=units,
        months=list(m.labels),
        first=first.isoformat(),
        last=last.isoformat(),
    )
    job = Reading(store, m, ids, facts, names, code_of, settings, progress, parts=parts)
    if USE_ROLLUPS and {str(by_id[i]["timezone"]) for i in subtree} == {tz}:
        job.days = (first, last)  # the rollups' local days are the root's: they can serve the ratings
        if fold_depth is not None and root is not None:
            chains = facts.ancestors()
            id_of = {c: i for i, c in code_of.items()}
            job.fold = {i: id_of[chains[code_of[i]][max(0, len(chains[code_of[i]]) - 1 - fold_depth)]] for i in subtree}
    if job.days is not None and parts & {"ratings", "dossiers", "answers"}:
        await rollups.refresh(store)  # once, before any rollup is read
    await _counts(job, parts)
    if "flags" in parts:
        await _candidates(job)
    return facts


def subtree_of(unit_rows: list[dict[str, Any]], root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for u in unit_rows:
        if u["parent_id"] is not None:
            children.setdefault(int(u["parent_id"]), []).append(int(u["id"]))
    out, todo = set(), [root]
    while todo:
        uid = todo.pop()
        out.add(uid)
        todo.extend(children.get(uid, []))
    return out


async def _counts(job: Reading, parts: frozenset[str]) -> None:
    store, names, code_of, facts = job.store, job.names, job.code_of, job.facts
    counter_unit = await store.read(lambda tx: _map(tx, "counters"))
    officer_unit = await store.read(lambda tx: _map(tx, "officers"))
    facts.counter_units = {names["counters"][c]: code_of[u] for c, u in counter_unit.items()}
    facts.officer_units = {names["officers"][o]: code_of[u] for o, u in officer_unit.items()}
    if "ratings" in parts:
        await _ratings(job, counter_unit)
    if "dossiers" in parts:
        await _dossiers(job)
    if "answers" in parts:
        await _answers(job)


async def _ratings(job: Reading, counter_unit: dict[int, int]) -> None:
    m, facts, names, code_of, progress, taps = job.m, job.facts, job.names, job.code_of, job.progress, job.taps
    counters, officers = names["counters"], names["officers"]
    label = m.labels
    progress("analyze: counter ratings")
    for r in await _rating_rows(job):
        if "counter_id" not in r:  # folded (job.fold): per unit and source
            facts.ratings.append(
                {
                    "unit": code_of[r["unit_id"]],
                    "counter": "",
                    "officer": None,
                    "source": SOURCES[r["source"]],
                    "m": label[r["m"]],
                    "n": int(r["n"]),
                    "x": int(r["x"]),
                    "top": int(r["top"]),
                }
            )
            continue
        if r["fast"] or r["timed"]:
            unit, n, fast = taps.get(counters[r["counter_id"]], (counter_unit[r["counter_id"]], 0, 0))
            taps[counters[r["counter_id"]]] = (unit, n + int(r["timed"]), fast + int(r["fast"] or 0))
        facts.ratings.append(
            {
                "unit": code_of[counter_unit[r["counter_id"]]],
                "counter": counters[r["counter_id"]],
                "officer": officers.get(r["officer_id"]),
                "source": SOURCES[r["source"]],
                "m": label[r["m"]],
                "n": int(r["n"]),
                "x": int(r["x"]),
                "top": int(r["top"]),
            }
        )


async def _dossiers(job: Reading) -> None:
    """Dossiers returned and the rated ones among them (from the rollups where the time zones allow), and, for
    the procedure and channel rates, the citizen ratings that carry their dossier (part "linked")."""
    store, m, ids, facts, code_of, progress = job.store, job.m, job.ids, job.facts, job.code_of, job.progress
    procs, label, days = job.names["procedures"], job.m.labels, job.days
    progress("analyze: dossiers")
    if days is not None:
        rows = await store.read(lambda tx: dossier_rollups.dossiers_by_month(tx, m, ids, *days, job.fold))
    else:
        rows = await store.read(lambda tx: queries.dossiers_by_month(tx, m, ids))
    for r in rows:
        where = {
            "unit": code_of[r["unit_id"]],
            "procedure": procs[r["procedure_id"]] if "procedure_id" in r else "",
            "channel": CHANNELS[r["channel"]] if "channel" in r else "",
            "m": label[r["m"]],
            "margin": r["margin"] + MARGINS[0],
        }
        if int(r["n"]):
            facts.dossiers.append({**where, "n": int(r["n"])})
        if "rated" in r:
            unsat = int(r["unsat"])
            for flag, n in ((0, int(r["rated"]) - unsat), (1, unsat)):
                if n:
                    facts.rated_dossiers.append({**where, "unsat": flag, "n": n})
    if days is None:
        _linked(await store.read(lambda tx: queries.linked_ratings(tx, m, ids)), facts, code_of, procs, label)
    elif "linked" in job.parts:
        for r in await store.read(lambda tx: rollups.linked_by_month(tx, m, ids, *days)):
            if int(r["n"]):
                facts.procedure_ratings.append(
                    {
                        "unit": code_of[r["unit_id"]],
                        "procedure": procs[r["procedure_id"]],
                        "channel": CHANNELS[r["channel"]],
                        "m": label[r["m"]],
                        "n": int(r["n"]),
                        "x": int(r["x"]),
                    }
                )


async def _answers(job: Reading) -> None:
    store, m, ids, facts, code_of, progress = job.store, job.m, job.ids, job.facts, job.code_of, job.progress
    officers, label, days = job.names["officers"], job.m.labels, job.days
    progress("analyze: receipt questionnaires")
    facts.instrument = _instrument()
    spec = IndexSpec.from_instrument(facts.instrument)
    items = [*(i for codes in spec.factors.values() for i in codes), "harassment", "informal_payment"]
    sat = spec.satisfied
    if days is not None and dossier_rollups.satisfied_values(INSTRUMENT) == frozenset(sat):
        fold = job.fold
        answers = await store.read(
            lambda tx: dossier_rollups.answers_by_month(tx, m, ids, *days, INSTRUMENT, items, fold)
        )
        responses = await store.read(lambda tx: dossier_rollups.responses_by_month(tx, m, ids, *days, INSTRUMENT, fold))
    else:
        answers = await store.read(lambda tx: queries.answers_by_month(tx, m, ids, INSTRUMENT, items, sat))
        responses = await store.read(lambda tx: queries.responses_by_month(tx, m, ids, INSTRUMENT))
    for r in answers:
        facts.answers.append(
            {
                "unit": code_of[r["unit_id"]],
                "m": label[r["m"]],
                "item": r["item"],
                "rows": int(r["rows"]),
                "n": int(r["n"]),
                "sat": int(r["sat"]),
                "some": int(r["some"]),
            }
        )
    for r in responses:
        facts.responses.append({"unit": code_of[r["unit_id"]], "m": label[r["m"]], "n": int(r["n"])})
    if "flags" in job.parts:  # the kiosk-vs-QR gap is a flag
        qr = await store.read(lambda tx: queries.qr_by_officer(tx, m, ids, INSTRUMENT, job.settings.gap_item))
        facts.qr_officers = [{"officer": officers[r["officer_id"]], "n": int(r["n"]), "x": int(r["x"])} for r in qr]


async def _rating_rows(job: Reading) -> list[dict[str, Any]]:
    """Counter ratings per counter, officer, source and month: from the rollups, brought up to date first,
    unless the period's units keep other time zones or the settings count fast taps at another threshold."""
    store, m, ids, days = job.store, job.m, job.ids, job.days
    if days is not None and await rollups.usable(store, job.settings):
        return await store.read(lambda tx: rollups.ratings_by_month(tx, m, ids, *days, job.fold))
    fast_ms = job.settings.fast_tap_ms
    return await store.read(lambda tx: queries.ratings_by_month(tx, m, ids, fast_ms))


def _linked(
    rows: list[dict[str, Any]], facts: Facts, code_of: dict[int, str], procs: dict[int, str], label: tuple[str, ...]
) -> None:
    """Split the linked ratings into procedure/channel rates (by rating month) and rated dossiers (by the
    month of return), each summed over the other month."""
    by_rating: dict[tuple[str, str, str, str], list[int]] = {}
    by_return: dict[tuple[str, str, str, str, int, int], int] = {}
    for r in rows:
        unit, proc, channel = code_of[r["unit_id"]], procs[r["procedure_id"]], CHANNELS[r["channel"]]
        n = int(r["n"])
        if r["rm"] != queries.NONE:
            cell = by_rating.setdefault((unit, proc, channel, label[r["rm"]]), [0, 0])
            cell[0] += n
            cell[1] += 0 if r["unsat"] else n
        if r["dm"] != queries.NONE:
            key = (unit, proc, channel, label[r["dm"]], r["margin"] + MARGINS[0], int(r["unsat"]))
            by_return[key] = by_return.get(key, 0) + n
    facts.procedure_ratings = [
        {"unit": u, "procedure": p, "channel": c, "m": mm, "n": n, "x": x}
        for (u, p, c, mm), (n, x) in by_rating.items()
    ]
    facts.rated_dossiers = [
        {"unit": u, "procedure": p, "channel": c, "m": mm, "margin": g, "unsat": s, "n": n}
        for (u, p, c, mm, g, s), n in by_return.items()
    ]


async def _map(tx: Tx, table: str) -> dict[int, int]:
    rows = await tx.fetch_all(f"SELECT id, unit_id FROM {table}")  # noqa: S608
    return {int(r["id"]): int(r["unit_id"]) for r in rows}


async def _candidates(job: Reading) -> None:
    store, m, ids, facts, names, code_of, settings, progress, taps = (
        job.store,
        job.m,
        job.ids,
        job.facts,
        job.names,
        job.code_of,
        job.settings,
        job.progress,
        job.taps,
    )
    devices, officers = names["devices"], names["officers"]
    progress("analyze: integrity candidates")

    def rating(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(r["id"]),
            "device": devices.get(r["device_id"]),
            "officer": officers.get(r["officer_id"]),
            "unit": code_of[r["unit_id"]],
            "created_at": int(r["created_at"]),
            **({"top": int(r["level"]) == int(r["scale"])} if "level" in r else {}),
        }

    gap_ms = settings.burst_gap_s * 1000
    pairs = await store.read(lambda tx: evidence.close_pairs(tx, m, ids, gap_ms, settings.burst_min))
    facts.close_pairs = [rating(r) for r in pairs]
    counter_ids = {code: i for i, code in names["counters"].items()}
    for counter, (unit, n, fast) in sorted(taps.items()):
        if not settings.fast_tap_flagged(n, fast):
            continue
        found = await store.read(
            lambda tx, u=unit, c=counter_ids[counter]: evidence.fast_taps(  # type: ignore[misc]
                tx, m, u, c, settings.fast_tap_ms, EVIDENCE_IDS
            )
        )
        facts.taps.append(
            {
                "device": devices.get(found[0]["device_id"], counter) if found else counter,
                "unit": code_of[unit],
                "n": n,
                "fast": fast,
                "first_at": found[0]["first_at"] if found else None,
                "last_at": found[0]["last_at"] if found else None,
                "ids": [int(r["id"]) for r in found],
            }
        )
    for hours, unit_ids in (await _hours(store, ids if ids is not None else sorted(code_of), settings)).items():
        off = await store.read(
            lambda tx, h=hours, u=unit_ids: evidence.off_hours(tx, m, u, h, settings.off_hours_grace_min)  # type: ignore[misc]
        )
        facts.off_hours.extend(rating(r) for r in off)
    facts.off_hours.sort(key=lambda r: (str(r["device"]), r["created_at"]))
    repeated = await store.read(
        lambda tx: evidence.repeated_comments(
            tx, m, ids, settings.repeated_min, settings.repeated_share, settings.repeated_min_chars
        )
    )
    for r in repeated:
        rids = await store.read(
            lambda tx, u=r["unit_id"], d=r["device_id"], c=r["comment"]: evidence.comment_ids(  # type: ignore[misc]
                tx, m, u, d, c, EVIDENCE_IDS
            )
        )
        facts.repeated.append(
            {
                "device": devices[r["device_id"]],
                "unit": code_of[r["unit_id"]],
                "comment": r["comment"],
                "n": int(r["n"]),
                "total": int(r["total"]),
                "first_at": int(r["first_at"]),
                "last_at": int(r["last_at"]),
                "ids": rids,
            }
        )
    per_unit: dict[str, list[int]] = {}
    for r in facts.ratings:
        cell = per_unit.setdefault(r["unit"], [0, 0])
        cell[0] += r["n"]
        cell[1] += r["n"] if r["source"] == "staff" else 0
    staff_units = {u for u, (n, k) in per_unit.items() if settings.staff_flagged(n, k)}
    uid = {c: i for i, c in code_of.items()}
    for code in sorted(staff_units):
        facts.staff[code] = await store.read(lambda tx, u=uid[code]: evidence.staff_ids(tx, m, u, EVIDENCE_IDS))  # type: ignore[misc]


async def default_period(store: Store, first: date | None, last: date | None) -> tuple[date, date]:
    """--to defaults to the day of the newest rating (UTC+7 by default), --from to 24 months before it."""
    if last is None:
        newest = (await store.fetch_one("SELECT max(created_at) AS t FROM ratings") or {}).get("t")
        if newest is None:
            raise ScopeError("the database has no ratings: nothing to analyse (give --to, or fill it first)")
        last = (datetime(1970, 1, 1) + timedelta(milliseconds=int(newest) + 7 * 3_600_000)).date()
    if first is None:
        year, month = (last.year - 2, last.month + 1) if last.month < 12 else (last.year - 1, 1)
        first = date(year, month, 1)
    if last < first:
        raise ScopeError(f"--to {last} is before --from {first}")
    return first, last


Hours = tuple[tuple[int, int, int], ...]


async def _hours(store: Store, unit_ids: list[int], settings: Settings) -> dict[Hours, list[int]]:
    """The units grouped by their opening hours (the table's rows, else the settings' default)."""
    rows = await store.fetch_all(
        "SELECT unit_id, weekday, opens, closes FROM opening_hours ORDER BY unit_id, weekday, opens"
    )
    own: dict[int, list[tuple[int, int, int]]] = {}
    for r in rows:
        own.setdefault(int(r["unit_id"]), []).append((int(r["weekday"]), int(r["opens"]), int(r["closes"])))
    groups: dict[Hours, list[int]] = {}
    for uid in unit_ids:
        groups.setdefault(tuple(own.get(uid, settings.opening_hours)), []).append(uid)
    return groups
