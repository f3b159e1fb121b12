"""What the follow-up routes and pages do: read alerts and cases within the viewer's units, acknowledge,
move and assign (managers of the unit), the daily digest, indicator 8 and the dossier lookup."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from analysis.comments.redact import redact
from analysis.stats.official import FeedbackHandling, feedback_handling
from api.accounts.audit import audit
from api.comments.service import may_read_names
from api.db import Row, Store, Tx, now_ms
from api.dossiers import queries as dossier_queries
from api.errors import Conflict, Invalid, NotFound
from api.followup import queries
from api.followup.cases import HANDLED, MOVES, local_day
from api.followup.schemas import (
    Acknowledgement,
    AlertOut,
    Answer,
    CaseEventOut,
    CaseOut,
    Digest,
    DigestUnit,
    DossierFeedback,
    RatingFeedback,
    ResponseFeedback,
    Timeliness,
)
from api.insights.queries import officer_names
from api.ratings.queries import reasons_of
from api.types import from_ms
from api.units.service import require_id as require_unit
from api.viewer import Viewer, subtree


def _at(ms: int) -> datetime:
    value = from_ms(ms)
    assert value is not None
    return value


def alert_out(row: Row) -> AlertOut:
    ack = None
    if row["ack_at"] is not None:
        ack = Acknowledgement(str(row["ack_note"]), str(row["ack_name"]), _at(int(row["ack_at"])))
    return AlertOut(
        id=int(row["id"]),
        cause=str(row["cause"]),
        scope_kind=str(row["scope_kind"]),
        scope=str(row["scope"] or ""),
        unit=str(row["unit"]),
        unit_name=str(row["unit_name"]),
        state=row["state"],
        opened_at=_at(int(row["opened_at"])),
        last_seen_at=_at(int(row["last_seen_at"])),
        closed_at=from_ms(row["closed_at"]),
        evidence=json.loads(row["evidence"]),
        acknowledged=ack,
        run_id=row["run_id"],
    )


def case_out(row: Row, events: list[Row] | None = None, today: str | None = None) -> CaseOut:
    today = today or local_day(now_ms(), str(row["unit_timezone"]))
    return CaseOut(
        id=int(row["id"]),
        source_kind=row["source_kind"],
        source_id=int(row["source_id"]),
        reasons=str(row["reasons"]).split(","),
        dossier_code=row["dossier_code"],
        unit=str(row["unit"]),
        unit_name=str(row["unit_name"]),
        counter=row["counter"],
        opened_at=_at(int(row["opened_at"])),
        opened_on=date.fromisoformat(row["opened_on"]),
        deadline=date.fromisoformat(row["deadline"]),
        overdue=row["state"] not in HANDLED and str(row["deadline"]) < today,
        state=row["state"],
        assignee=row["assignee_name"],
        response=row["response"],
        dismissal_reason=row["dismissal_reason"],
        handled_at=from_ms(row["handled_at"]),
        events=[
            CaseEventOut(
                _at(int(e["at"])),
                str(e["actor_name"]),
                str(e["action"]),
                e["from_state"],
                e["to_state"],
                e["assignee_name"],
                e["note"],
            )
            for e in events or []
        ],
    )


async def scope_units(tx: Tx, viewer: Viewer, unit: str | None) -> frozenset[int] | None:
    """The units a list shows: the viewer's, narrowed to ``unit``'s subtree when given (403 outside)."""
    if unit is None:
        return viewer.units
    unit_id = await require_unit(tx, unit)
    viewer.check_sees(unit_id)
    return await subtree(tx, unit_id)


# ---- alerts ------------------------------------------------------------------------------------------------


async def list_alerts(
    store: Store, viewer: Viewer, *, unit: str | None, state: str | None, limit: int, before: int | None
) -> list[AlertOut]:
    async def run(tx: Tx) -> list[Row]:
        return await queries.alerts(tx, await scope_units(tx, viewer, unit), state, limit, before)

    return [alert_out(r) for r in await store.read(run)]


async def current_alerts(store: Store, viewer: Viewer, unit: str | None, limit: int = 5) -> list[AlertOut]:
    """The alerts not closed yet (open or acknowledged), newest first: the overview's box."""
    return await list_alerts(store, viewer, unit=unit, state="current", limit=limit, before=None)


async def _alert(tx: Tx, viewer: Viewer, alert_id: int) -> Row:
    row = await queries.alert(tx, alert_id)
    if row is None:
        raise NotFound(f"There is no alert {alert_id}.")
    viewer.check_sees(int(row["unit_id"]))
    return row


async def get_alert(store: Store, viewer: Viewer, alert_id: int) -> AlertOut:
    return alert_out(await store.read(lambda tx: _alert(tx, viewer, alert_id)))


async def acknowledge(store: Store, viewer: Viewer, alert_id: int, note: str) -> AlertOut:
    row = await store.read(lambda tx: _alert(tx, viewer, alert_id))
    viewer.check_manages(int(row["unit_id"]))
    if not note.strip():
        raise Invalid("A note is required to acknowledge an alert.", errors=[{"key": "note", "message": "required"}])
    user = viewer.id if viewer.via == "session" else None

    async def ack(tx: Tx) -> int:
        done = await queries.acknowledge(tx, alert_id, note.strip(), user, viewer.name, now_ms())
        if done:
            await audit(tx, viewer, "alert-acknowledge", {"alert": alert_id, "cause": row["cause"]})
        return done

    if not await store.write(ack):
        raise Conflict(f"Alert {alert_id} has already been acknowledged.", code="already-acknowledged")
    return await get_alert(store, viewer, alert_id)


async def digest(store: Store, viewer: Viewer, day: date, unit: str | None, tz: str) -> Digest:
    """What opened, was acknowledged and closed on ``day`` (local), per unit."""
    zone = ZoneInfo(tz)
    lo = int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * 1000)
    nxt = day + timedelta(days=1)
    hi = int(datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).timestamp() * 1000)

    async def run(tx: Tx) -> list[Row]:
        return await queries.alerts_between(tx, await scope_units(tx, viewer, unit), lo, hi)

    per: dict[str, DigestUnit] = {}
    for row in await store.read(run):
        item = per.setdefault(str(row["unit"]), DigestUnit(str(row["unit"]), str(row["unit_name"]), [], [], []))
        out = alert_out(row)
        for field, ms in (("opened", row["opened_at"]), ("acknowledged", row["ack_at"]), ("closed", row["closed_at"])):
            if ms is not None and lo <= int(ms) < hi:
                getattr(item, field).append(out)
    units = [per[k] for k in sorted(per)]
    return Digest(
        day,
        tz,
        sum(len(u.opened) for u in units),
        sum(len(u.acknowledged) for u in units),
        sum(len(u.closed) for u in units),
        units,
    )


# ---- cases -------------------------------------------------------------------------------------------------


async def list_cases(
    store: Store,
    viewer: Viewer,
    *,
    unit: str | None,
    state: str | None,
    overdue: bool,
    limit: int,
    before: int | None,
    tz: str,
) -> list[CaseOut]:
    today = local_day(now_ms(), tz)

    async def run(tx: Tx) -> list[Row]:
        units = await scope_units(tx, viewer, unit)
        return await queries.cases(tx, units, state, today if overdue else None, limit, before)

    return [case_out(r) for r in await store.read(run)]


async def _case(tx: Tx, viewer: Viewer, case_id: int) -> tuple[Row, list[Row]]:
    row = await queries.case(tx, case_id)
    if row is None:
        raise NotFound(f"There is no case {case_id}.")
    viewer.check_sees(int(row["unit_id"]))
    return row, await queries.events(tx, [case_id])


async def get_case(store: Store, viewer: Viewer, case_id: int) -> CaseOut:
    return case_out(*await store.read(lambda tx: _case(tx, viewer, case_id)))


def _check_move(row: Row, to: str, response: str | None, reason: str | None) -> dict[str, Any]:
    """The columns a move sets; Invalid when the move or its text is missing (a response to answer, a reason
    to dismiss)."""
    state = str(row["state"])
    if to not in MOVES[state]:
        allowed = ", ".join(MOVES[state])
        raise Invalid(f"A case that is {state} can move to {allowed}, not {to}.", code="bad-transition")
    if to == "answered" and not response:
        raise Invalid("A response is required to answer a case.", errors=[{"key": "response", "message": "required"}])
    if to == "dismissed" and not reason:
        raise Invalid("A reason is required to dismiss a case.", errors=[{"key": "reason", "message": "required"}])
    now = now_ms()
    handled = to in HANDLED
    return {
        "state": to,
        "response": response.strip() if to == "answered" and response else row["response"],
        "dismissal_reason": reason.strip() if to == "dismissed" and reason else None,
        "handled_at": now if handled else None,
        "handled_on": local_day(now, str(row["unit_timezone"])) if handled else None,
        "updated_at": now,
    }


async def transition(
    store: Store, viewer: Viewer, case_id: int, to: str, note: str | None, response: str | None, reason: str | None
) -> CaseOut:
    row, _ = await store.read(lambda tx: _case(tx, viewer, case_id))
    viewer.check_manages(int(row["unit_id"]))
    values = _check_move(row, to, response, reason)
    user = viewer.id if viewer.via == "session" else None
    text = note or (values["response"] if to == "answered" else values["dismissal_reason"])

    async def move(tx: Tx) -> int:
        changed = await queries.update_case(tx, case_id, str(row["state"]), values)
        if changed:
            await queries.add_event(
                tx, case_id, values["updated_at"], user, viewer.name, "transition", row["state"], to, note=text
            )
            await audit(tx, viewer, "case-transition", {"case": case_id, "from": row["state"], "to": to})
        return changed

    if not await store.write(move):
        raise Conflict(f"Case {case_id} was changed meanwhile; look at it again.", code="case-changed")
    return await get_case(store, viewer, case_id)


async def assign(store: Store, viewer: Viewer, case_id: int, username: str | None, note: str | None) -> CaseOut:
    async def look(tx: Tx) -> tuple[Row, Row | None]:
        row, _ = await _case(tx, viewer, case_id)
        viewer.check_manages(int(row["unit_id"]))
        if username is None:
            return row, None
        user = await queries.user_by_name(tx, username)
        if user is None:
            raise Invalid(f"There is no user {username!r}.", code="unknown-user")
        if user["unit_id"] is not None and int(row["unit_id"]) not in await subtree(tx, int(user["unit_id"])):
            raise Invalid(f"User {username!r} works outside this case's unit.", code="assignee-outside-unit")
        return row, user

    row, user = await store.read(look)
    assignee = (None, None) if user is None else (int(user["id"]), str(user["username"]))
    now = now_ms()
    by = viewer.id if viewer.via == "session" else None

    async def give(tx: Tx) -> int:
        values = {"assignee_id": assignee[0], "assignee_name": assignee[1], "updated_at": now}
        changed = await queries.update_case(tx, case_id, str(row["state"]), values)
        if changed:
            await queries.add_event(
                tx, case_id, now, by, viewer.name, "assign", None, None, assignee=assignee, note=note
            )
            await audit(tx, viewer, "case-assign", {"case": case_id, "assignee": assignee[1]})
        return changed

    if not await store.write(give):
        raise Conflict(f"Case {case_id} was changed meanwhile; look at it again.", code="case-changed")
    return await get_case(store, viewer, case_id)


async def handling(store: Store, units: frozenset[int] | None, first: date, last: date) -> FeedbackHandling:
    """Indicator 8 over the cases of ``units`` whose deadline falls in [first, last], as of ``last``: the one
    reading of the API, the pages and ``hailong analyze``."""
    rows = await store.read(lambda tx: queries.handling(tx, units, first.isoformat(), last.isoformat()))
    cases = [(date.fromisoformat(r["deadline"]), _day(r["handled_on"])) for r in rows]
    return feedback_handling(cases, last)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


async def timeliness(store: Store, viewer: Viewer, unit: str | None, first: date, last: date) -> Timeliness:
    if last < first:
        raise Invalid("'to' is before 'from'.", code="bad-period")
    units = await store.read(lambda tx: scope_units(tx, viewer, unit))
    found = await handling(store, units, first, last)
    return Timeliness(last, found.on_time, found.late, found.pending, found.points, found.label)


# ---- the dossier lookup --------------------------------------------------------------------------------------


class Shown(NamedTuple):
    text: str | None
    hidden: bool


def _shown(text: str | None, names: list[str], may_read_names: bool) -> Shown:
    """A comment as this viewer may see it: redacted, and withheld when it names a person (an officer of the
    unit, or a name after an address word) from a role that may not read names (api/comments/service.py)."""
    if text is None:
        return Shown(None, False)
    found = redact(text, names)
    if found.mentions_person and not may_read_names:
        return Shown(None, True)
    return Shown(found.text, False)


async def dossier_feedback(store: Store, viewer: Viewer, code: str) -> DossierFeedback:
    async def run(tx: Tx) -> tuple[Row, list[Row], dict[int, list[str]], list[Row], list[Row], list[Row], list[str]]:
        dossier = await dossier_queries.by_code(tx, code)
        if dossier is None:
            raise NotFound(f"There is no dossier with code {code!r}.")
        viewer.check_sees(int(dossier["unit_id"]))
        ratings = await queries.dossier_ratings(tx, int(dossier["id"]))
        reasons = await reasons_of(tx, [int(r["id"]) for r in ratings])
        answers = await queries.dossier_answers(tx, int(dossier["id"]))
        found = await queries.cases_of_dossier(tx, int(dossier["id"]))
        events = await queries.events(tx, [int(c["id"]) for c in found])
        names = await officer_names(tx, [int(dossier["unit_id"])])
        return dossier, ratings, reasons, answers, found, events, names

    dossier, ratings, reasons, answers, found, events, names = await store.read(run)
    names_ok = may_read_names(viewer)
    responses: dict[int, ResponseFeedback] = {}
    for a in answers:
        resp = responses.setdefault(
            int(a["id"]), ResponseFeedback(int(a["id"]), str(a["instrument"]), _at(int(a["submitted_at"])), [])
        )
        if a["item"] is not None:
            shown = _shown(a["text_value"], names, names_ok)
            resp.answers.append(Answer(str(a["item"]), a["value"], shown.text, shown.hidden))
    return DossierFeedback(
        code=str(dossier["code"]),
        unit=str(dossier["unit"]),
        procedure=str(dossier["procedure"]),
        received_at=_at(int(dossier["received_at"])),
        due_at=_at(int(dossier["due_at"])),
        returned_at=from_ms(dossier["returned_at"]),
        ratings=[_rating(r, reasons.get(int(r["id"]), []), _shown(r["comment"], names, names_ok)) for r in ratings],
        responses=list(responses.values()),
        cases=[case_out(c, [e for e in events if e["case_id"] == c["id"]]) for c in found],
    )


def _rating(row: Row, reasons: list[str], comment: Shown) -> RatingFeedback:
    return RatingFeedback(
        int(row["id"]),
        str(row["counter"]),
        row["officer"],
        int(row["level"]),
        int(row["scale"]),
        reasons,
        comment.text,
        _at(int(row["created_at"])),
        comment.hidden,
    )
