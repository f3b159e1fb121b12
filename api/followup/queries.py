"""SQL of the follow-up domain: what the background task reads and writes, and what the API reads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from api.db import Row, Tx

REPORTED_ITEMS = ("harassment", "informal_payment")  # questionnaire items whose "some"/"many" opens a case
# Rows read again behind the mark are the last moments' (by time) among the last RESCAN_IDS ids: both bounds
# keep the look-up to a short index range whichever one the planner picks (see api/followup/task.py).
# Commits overlap by a few batches at most: far fewer ids than this.
RESCAN_IDS = 2000


def in_ids(column: str, ids: Collection[int] | None) -> str:
    """`` AND column IN (…)`` for a set of ids (ints only, inlined), or nothing for None (every unit)."""
    if ids is None:
        return ""
    listed = ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"
    return f" AND {column} IN ({listed})"


# ---- the task's marks ----------------------------------------------------------------------------------


async def marks(tx: Tx) -> dict[str, int]:
    rows = await tx.fetch_all("SELECT name, last_id FROM followup_marks")
    return {str(r["name"]): int(r["last_id"]) for r in rows}


async def newest_ids(tx: Tx) -> dict[str, int]:
    row = await tx.fetch_one(
        "SELECT (SELECT max(id) FROM ratings) AS ratings, (SELECT max(id) FROM responses) AS responses,"
        " (SELECT max(id) FROM analysis_runs) AS runs"
    )
    return {k: int(v or 0) for k, v in (row or {}).items()}


async def set_marks(tx: Tx, values: dict[str, int], now: int) -> None:
    for name, last_id in values.items():
        await tx.execute(
            "INSERT INTO followup_marks (name, last_id, updated_at) VALUES (:n, :i, :t) ON CONFLICT (name) DO UPDATE"
            " SET last_id = CASE WHEN excluded.last_id > followup_marks.last_id THEN excluded.last_id"
            " ELSE followup_marks.last_id END, updated_at = excluded.updated_at",
            {"n": name, "i": last_id, "t": now},
        )


# ---- what the task reads ---------------------------------------------------------------------------------


RATINGS = """SELECT r.id, r.counter_id, r.unit_id, r.level, r.created_at, r.dossier_id,
                     CASE WHEN r.comment IS NULL THEN 0 ELSE 1 END AS has_comment
              FROM ratings r"""
PLACES = """SELECT r.id, COALESCE(d.unit_id, r.unit_id) AS case_unit, u.timezone
            FROM ratings r
            LEFT JOIN dossiers d ON d.id = r.dossier_id
            JOIN units u ON u.id = COALESCE(d.unit_id, r.unit_id)"""


async def new_ratings(tx: Tx, after: int, since: int | None, limit: int) -> list[Row]:
    """Ratings after the mark; with ``since``, those of the last moments again (on PostgreSQL a lower id may
    commit after a higher one). Two queries, each on its own index (an OR of the two would scan the table)."""
    rows = await tx.fetch_all(
        RATINGS + " WHERE r.id > :after ORDER BY r.id LIMIT :limit", {"after": after, "limit": limit}
    )
    if since is not None:
        again = await tx.fetch_all(
            RATINGS + " WHERE r.created_at >= :since AND r.id > :low AND r.id <= :after",
            {"since": since, "low": after - RESCAN_IDS, "after": after},
        )
        rows = sorted(again, key=lambda r: int(r["id"])) + rows
    return rows


async def with_places(tx: Tx, ratings: list[Row]) -> list[Row]:
    """The ratings, each with the unit responsible for it (the dossier's, else the counter's) and its time zone:
    looked up only for the few that may open a case."""
    if not ratings:
        return []
    places = {
        int(p["id"]): p
        for p in await tx.fetch_all(PLACES + f" WHERE 1 = 1{in_ids('r.id', [int(r['id']) for r in ratings])}")
    }
    return [{**r, **places[int(r["id"])]} for r in ratings if int(r["id"]) in places]


async def window(tx: Tx, counter_ids: Collection[int] | None, lo: int, hi: int) -> list[Row]:
    """The counters' (every counter's: None) ratings with ``lo < created_at <= hi``, in time order."""
    sql = f"""SELECT id, counter_id, unit_id, created_at, level FROM ratings
              WHERE created_at > :lo AND created_at <= :hi{in_ids("counter_id", counter_ids)}
              ORDER BY counter_id, created_at, id"""  # noqa: S608
    return await tx.fetch_all(sql, {"lo": lo, "hi": hi})


RESPONSES = f"""SELECT s.id, s.dossier_id, s.submitted_at, d.unit_id, u.timezone, a.item
                FROM responses s
                JOIN answers a ON a.response_id = s.id AND a.value >= 1
                     AND a.item IN ({", ".join(f"'{i}'" for i in REPORTED_ITEMS)})
                JOIN dossiers d ON d.id = s.dossier_id
                JOIN units u ON u.id = d.unit_id"""  # noqa: S608


async def history(tx: Tx, lo: int) -> tuple[list[Row], list[Row]]:
    """Every rating and every reporting response from ``lo`` on (the demo's history, api/followup/demo.py)."""
    found = await tx.fetch_all(RATINGS + " WHERE r.created_at >= :lo ORDER BY r.id", {"lo": lo})
    ratings = await with_places(tx, [r for r in found if int(r["level"]) == 1])
    responses = await tx.fetch_all(RESPONSES + " WHERE s.submitted_at >= :lo ORDER BY s.id", {"lo": lo})
    return ratings, responses


async def new_responses(tx: Tx, after: int, upto: int, since: int | None, limit: int) -> list[Row]:
    """Responses after the mark up to ``upto`` (and the last moments again) that report harassment or informal
    payments, one row per reported item."""
    sql = RESPONSES
    fresh = await tx.fetch_all(
        sql + " WHERE s.id > :after AND s.id <= :upto ORDER BY s.id LIMIT :limit",
        {"after": after, "upto": upto, "limit": limit},
    )
    if since is None:
        return fresh
    again = await tx.fetch_all(
        sql + " WHERE s.submitted_at >= :since AND s.id > :low AND s.id <= :after",
        {"since": since, "low": after - RESCAN_IDS, "after": after},
    )
    return sorted(again, key=lambda r: int(r["id"])) + fresh


async def open_alerts(tx: Tx, causes: Sequence[str] | None = None) -> list[Row]:
    """Alerts not closed yet (of ``causes`` when given)."""
    rows = await tx.fetch_all(
        "SELECT id, cause, scope_kind, scope_id, unit_id, last_seen_at FROM alerts WHERE open_key IS NOT NULL"
    )
    return [r for r in rows if causes is None or r["cause"] in causes]


async def next_run(tx: Tx, after: int) -> list[Row]:
    """The first stored run after the mark (none or one)."""
    return await tx.fetch_all(
        "SELECT id, unit_code, summary, as_of FROM analysis_runs WHERE id > :after ORDER BY id LIMIT 1",
        {"after": after},
    )


async def run_rows(tx: Tx, run_id: int, file: str) -> list[Row]:
    return await tx.fetch_all(
        "SELECT scope_kind, scope_code, data FROM analysis_results WHERE run_id = :r AND file = :f",
        {"r": run_id, "f": file},
    )


async def scopes(tx: Tx) -> dict[tuple[str, str], tuple[int, int]]:
    """(kind, code) → (scope id, the unit that sees it) for units, counters, devices and officers."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for kind, sql in (
        ("unit", "SELECT code, id, id AS unit_id FROM units"),
        ("counter", "SELECT code, id, unit_id FROM counters"),
        ("device", "SELECT d.code, d.id, c.unit_id FROM devices d JOIN counters c ON c.id = d.counter_id"),
        ("officer", "SELECT code, id, unit_id FROM officers"),
    ):
        for r in await tx.fetch_all(sql):
            out[(kind, str(r["code"]))] = (int(r["id"]), int(r["unit_id"]))
    return out


# ---- what the task writes ---------------------------------------------------------------------------------


async def upsert_alert(tx: Tx, alert: dict[str, Any]) -> None:
    """Open the alert, or, while one is open for its cause and scope, move its last breach and evidence on."""
    await tx.execute(
        """INSERT INTO alerts (cause, scope_kind, scope_id, unit_id, state, open_key, opened_at, last_seen_at,
                               run_id, evidence)
           VALUES (:cause, :scope_kind, :scope_id, :unit_id, 'open', :open_key, :opened_at, :last_seen_at,
                   :run_id, :evidence)
           ON CONFLICT (open_key) DO UPDATE SET
               evidence = CASE WHEN excluded.last_seen_at >= alerts.last_seen_at
                          THEN excluded.evidence ELSE alerts.evidence END,
               run_id = COALESCE(excluded.run_id, alerts.run_id),
               last_seen_at = CASE WHEN excluded.last_seen_at > alerts.last_seen_at
                              THEN excluded.last_seen_at ELSE alerts.last_seen_at END""",
        alert,
    )


async def close_alerts(tx: Tx, ids: Collection[int], now: int, before: int | None = None) -> int:
    """Close the open ones of ``ids`` (those whose last breach is before ``before``, when given)."""
    if not ids:
        return 0
    stale = "" if before is None else " AND last_seen_at <= :before"
    sql = f"""UPDATE alerts SET state = 'closed', open_key = NULL, closed_at = :now
              WHERE state <> 'closed'{in_ids("id", ids)}{stale}"""  # noqa: S608
    return await tx.execute(sql, {"now": now, "before": before})


CASE_COLUMNS = (
    "source_kind",
    "source_id",
    "reasons",
    "dossier_id",
    "unit_id",
    "counter_id",
    "opened_at",
    "opened_on",
    "deadline",
    "now",
)


async def insert_cases(tx: Tx, cases: list[dict[str, Any]]) -> int:
    """Open the cases whose source has none yet, each with its "opened" event; how many were opened. Two
    statements for the lot: the events are those of the new rows (another worker's committed cases already
    have theirs)."""
    if not cases:
        return 0
    before = int(await tx.fetch_val("SELECT COALESCE(max(id), 0) FROM cases") or 0)
    await tx.execute_many(
        """INSERT INTO cases (source_kind, source_id, reasons, dossier_id, unit_id, counter_id, opened_at,
                              opened_on, deadline, state, updated_at)
           VALUES (:source_kind, :source_id, :reasons, :dossier_id, :unit_id, :counter_id, :opened_at,
                   :opened_on, :deadline, 'open', :now)
           ON CONFLICT (source_kind, source_id) DO NOTHING""",
        [{k: c[k] for k in CASE_COLUMNS} for c in cases],
    )
    return await tx.execute(
        """INSERT INTO case_events (case_id, at, actor_name, action, to_state, note)
           SELECT k.id, k.updated_at, 'system', 'opened', 'open', k.reasons FROM cases k
           WHERE k.id > :before AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = k.id)""",
        {"before": before},
    )


async def add_event(
    tx: Tx,
    case_id: int,
    at: int,
    user_id: int | None,
    name: str,
    action: str,
    before: str | None,
    after: str | None,
    *,
    assignee: tuple[int | None, str | None] = (None, None),
    note: str | None = None,
) -> None:
    await tx.execute(
        """INSERT INTO case_events (case_id, at, actor_user_id, actor_name, action, from_state, to_state,
                                    assignee_id, assignee_name, note)
           VALUES (:c, :at, :u, :n, :a, :f, :t, :ai, :an, :note)""",
        {
            "c": case_id,
            "at": at,
            "u": user_id,
            "n": name,
            "a": action,
            "f": before,
            "t": after,
            "ai": assignee[0],
            "an": assignee[1],
            "note": note,
        },
    )


# ---- what the API reads and changes ------------------------------------------------------------------------

ALERT = """
SELECT a.*, u.code AS unit, u.name AS unit_name,
       CASE a.scope_kind WHEN 'counter' THEN c.code WHEN 'device' THEN d.code WHEN 'officer' THEN o.code
                         ELSE su.code END AS scope
FROM alerts a
JOIN units u ON u.id = a.unit_id
LEFT JOIN counters c ON a.scope_kind = 'counter' AND c.id = a.scope_id
LEFT JOIN devices d ON a.scope_kind = 'device' AND d.id = a.scope_id
LEFT JOIN officers o ON a.scope_kind = 'officer' AND o.id = a.scope_id
LEFT JOIN units su ON a.scope_kind = 'unit' AND su.id = a.scope_id
WHERE 1 = 1"""


async def alerts(tx: Tx, units: Collection[int] | None, state: str | None, limit: int, before: int | None) -> list[Row]:
    """Newest first; ``state`` "current" means not closed (open or acknowledged)."""
    sql, params = ALERT + in_ids("a.unit_id", units), dict[str, Any](limit=limit)
    if state == "current":
        sql += " AND a.open_key IS NOT NULL"
    elif state is not None:
        sql, params["state"] = sql + " AND a.state = :state", state
    if before is not None:
        sql, params["before"] = sql + " AND a.id < :before", before
    return await tx.fetch_all(sql + " ORDER BY a.id DESC LIMIT :limit", params)


async def alert(tx: Tx, alert_id: int) -> Row | None:
    return await tx.fetch_one(ALERT + " AND a.id = :id", {"id": alert_id})


async def alerts_between(tx: Tx, units: Collection[int] | None, lo: int, hi: int) -> list[Row]:
    """Alerts opened, acknowledged or closed in [lo, hi)."""
    where = " AND ((a.opened_at >= :lo AND a.opened_at < :hi) OR (a.ack_at >= :lo AND a.ack_at < :hi)"
    where += " OR (a.closed_at >= :lo AND a.closed_at < :hi))"
    return await tx.fetch_all(ALERT + in_ids("a.unit_id", units) + where + " ORDER BY a.id", {"lo": lo, "hi": hi})


async def acknowledge(tx: Tx, alert_id: int, note: str, user_id: int | None, name: str, now: int) -> int:
    """1 when acknowledged now, 0 when it already was (the first note stays)."""
    return await tx.execute(
        """UPDATE alerts SET ack_note = :note, ack_user_id = :u, ack_name = :name, ack_at = :now,
                  state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END
           WHERE id = :id AND ack_at IS NULL""",
        {"id": alert_id, "note": note, "u": user_id, "name": name, "now": now},
    )


CASE = """
SELECT k.*, u.code AS unit, u.name AS unit_name, u.timezone AS unit_timezone, d.code AS dossier_code, c.code AS counter
FROM cases k
JOIN units u ON u.id = k.unit_id
LEFT JOIN dossiers d ON d.id = k.dossier_id
LEFT JOIN counters c ON c.id = k.counter_id
WHERE 1 = 1"""


async def cases(
    tx: Tx, units: Collection[int] | None, state: str | None, overdue_on: str | None, limit: int, before: int | None
) -> list[Row]:
    sql, params = CASE + in_ids("k.unit_id", units), dict[str, Any](limit=limit)
    if state is not None:
        sql, params["state"] = sql + " AND k.state = :state", state
    if overdue_on is not None:
        sql += " AND k.state NOT IN ('answered', 'dismissed') AND k.deadline < :day"
        params["day"] = overdue_on
    if before is not None:
        sql, params["before"] = sql + " AND k.id < :before", before
    return await tx.fetch_all(sql + " ORDER BY k.id DESC LIMIT :limit", params)


async def case(tx: Tx, case_id: int) -> Row | None:
    return await tx.fetch_one(CASE + " AND k.id = :id", {"id": case_id})


async def cases_of_dossier(tx: Tx, dossier_id: int) -> list[Row]:
    return await tx.fetch_all(CASE + " AND k.dossier_id = :d ORDER BY k.id", {"d": dossier_id})


async def events(tx: Tx, case_ids: Collection[int]) -> list[Row]:
    if not case_ids:
        return []
    return await tx.fetch_all(
        f"SELECT * FROM case_events WHERE 1 = 1{in_ids('case_id', case_ids)} ORDER BY case_id, at, id"  # noqa: S608
    )


async def update_case(tx: Tx, case_id: int, state: str, values: dict[str, Any]) -> int:
    """Change a case that is still in ``state`` (0 when another change came first)."""
    sets = ", ".join(f"{k} = :{k}" for k in values)
    return await tx.execute(
        f"UPDATE cases SET {sets} WHERE id = :case_id AND state = :expected",  # noqa: S608
        {**values, "case_id": case_id, "expected": state},
    )


async def user_by_name(tx: Tx, username: str) -> Row | None:
    """A user of the accounts domain (migration 0006)."""
    return await tx.fetch_one("SELECT id, username, unit_id FROM users WHERE username = :n", {"n": username})


async def handling(tx: Tx, units: Collection[int] | None, first: str, last: str) -> list[Row]:
    """Cases whose deadline falls in [first, last] (local dates): deadline and the day handled."""
    sql = f"""SELECT deadline, handled_on FROM cases
              WHERE deadline >= :first AND deadline <= :last{in_ids("unit_id", units)}"""  # noqa: S608
    return await tx.fetch_all(sql, {"first": first, "last": last})


async def dossier_ratings(tx: Tx, dossier_id: int) -> list[Row]:
    return await tx.fetch_all(
        """SELECT r.id, c.code AS counter, o.code AS officer, r.level, r.scale, r.comment, r.created_at
           FROM ratings r JOIN counters c ON c.id = r.counter_id LEFT JOIN officers o ON o.id = r.officer_id
           WHERE r.dossier_id = :d ORDER BY r.id""",
        {"d": dossier_id},
    )


async def dossier_answers(tx: Tx, dossier_id: int) -> list[Row]:
    return await tx.fetch_all(
        """SELECT s.id, s.instrument, s.submitted_at, a.item, a.value, a.text_value
           FROM responses s LEFT JOIN answers a ON a.response_id = s.id
           WHERE s.dossier_id = :d ORDER BY s.id, a.item""",
        {"d": dossier_id},
    )
