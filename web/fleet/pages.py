"""``/dashboard/kiosks``: the unit's kiosk fleet (last seen, online, backlog, version; pair and revoke) and its
duty roster (who serves at each counter now, the week's shifts; add and remove). Reads and changes go through
the same services as the API (api/devices, api/roster), so scoping is the viewer's: any role that sees the
unit may look; only a manager of the unit (or an admin) sees and uses the forms."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from api.background import wake
from api.counters.queries import list_counters
from api.db import Row, Store, Tx
from api.devices import service as devices
from api.errors import Invalid, NotFound
from api.officers.queries import list_officers
from api.roster import service as roster
from api.roster.schemas import ShiftIn
from api.viewer import Viewer, subtree, visible_unit
from web.dashboard.picker import picker
from web.i18n import N_
from web.pages import check_csrf, page_text, page_viewer, render, signed_in_page

Req = Request[Any, Any, Any]
Unit = Annotated[str | None, Parameter(query="unit")]
DAYS = 7
PROBLEMS = {  # what a refused change says on the page (msgids)
    "shift-overlaps": N_("That shift overlaps another shift at the counter or of the officer."),
    "shift-ends-before-start": N_("A shift ends after it starts."),
    "shift-too-long": N_("A shift lasts at most 16 hours."),
    "officer-not-of-unit": N_("Only an active officer of the counter's unit can serve there."),
    "inactive-counter": N_("That counter is closed."),
    "bad-form": N_("Something in the form is missing or not right; try again."),
}


async def _unit(store: Store, viewer: Viewer, code: str | None) -> Row:
    return await store.read(lambda tx: visible_unit(tx, viewer, code))


def _back(unit: str, day: date | None = None, **extra: str) -> str:
    values = {"unit": unit, **({"day": day.isoformat()} if day else {}), **extra}
    return "/dashboard/kiosks?" + urlencode(values)


@get("/dashboard/kiosks", include_in_schema=False, guards=[signed_in_page])
async def kiosks(
    request: Req,
    store: Store,
    unit: Unit = None,
    day: date | None = None,
    problem: str | None = None,
    done: str | None = None,
) -> Response[str]:
    viewer = await page_viewer(request)
    t = page_text(request)
    found = await _unit(store, viewer, unit)
    code, unit_id, tz = str(found["code"]), int(found["id"]), ZoneInfo(str(found["timezone"]))
    first = day or datetime.now(tz).date()
    pick = await picker(store, viewer, code, None, None)
    fleet = await devices.list_devices(store, viewer, None, code)
    plan = await roster.roster(store, viewer, code, first, first + timedelta(days=DAYS - 1))

    async def choices(tx: Tx) -> tuple[list[Row], list[Row], list[Row]]:
        below = await subtree(tx, unit_id)
        counters = [c for c in await list_counters(tx, None) if c["active"] and c["unit_id"] in below]
        own = [c for c in counters if c["unit_id"] == unit_id]
        officers = [o for o in await list_officers(tx, unit_id) if o["active"]]
        return counters, own, officers

    pairable, own, officers = await store.read(choices)
    days: dict[date, list[Any]] = {first + timedelta(days=i): [] for i in range(DAYS)}
    for s in plan.shifts:
        local = s.starts.astimezone(tz)
        days.setdefault(local.date(), []).append((local, s.ends.astimezone(tz), s))
    return render(
        request,
        "fleet/kiosks.html",
        unit=found,
        pick=pick,
        fleet=fleet,
        plan=plan,
        days=days,
        first=first,
        tz=tz,
        pairable=pairable,
        own=own,
        officers=officers,
        manages=viewer.manages(unit_id),
        problem=PROBLEMS.get(problem or "", "") and t(PROBLEMS[problem or ""]),
        done=done,
        week_before=_back(code, first - timedelta(days=DAYS)),
        week_after=_back(code, first + timedelta(days=DAYS)),
    )


async def _form(request: Req) -> tuple[Viewer, dict[str, str]]:
    form = await request.form()
    check_csrf(request, form)
    viewer = await page_viewer(request)
    return viewer, {k: v.strip() for k, v in form.items() if isinstance(v, str)}


@post("/dashboard/kiosks/pair", include_in_schema=False)
async def pair(request: Req, store: Store) -> Response[str]:
    viewer, form = await _form(request)
    issued = await devices.issue(store, form.get("counter", ""), viewer)
    return render(request, "fleet/pairing.html", issued=issued, back=_back(form.get("unit", "")))


@post("/dashboard/kiosks/{device:str}/revoke", include_in_schema=False)
async def revoke(request: Req, store: Store, device: str) -> Redirect:
    viewer, form = await _form(request)
    await devices.revoke(store, device, viewer)
    request.app.state.auth.forget()
    return Redirect(_back(form.get("unit", ""), done="revoked"), status_code=303)


@post("/dashboard/roster/shifts", include_in_schema=False)
async def add_shift(request: Req, store: Store) -> Redirect:
    viewer, form = await _form(request)
    unit = form.get("unit", "")
    try:
        tz = ZoneInfo(str((await _unit(store, viewer, unit))["timezone"]))
        day = date.fromisoformat(form.get("day", ""))
        starts = datetime.combine(day, time.fromisoformat(form.get("starts", "")), tz)
        ends = datetime.combine(day, time.fromisoformat(form.get("ends", "")), tz)
    except ValueError:
        return Redirect(_back(unit, problem="bad-form"), status_code=303)
    try:
        await roster.add_shift(store, viewer, ShiftIn(form.get("counter", ""), form.get("officer", ""), starts, ends))
    except (Invalid, NotFound) as refused:  # said on the page; nothing stored
        problem = refused.code if refused.code in PROBLEMS else "bad-form"
        return Redirect(_back(unit, day, problem=problem), status_code=303)
    wake(request.app, "roster")
    return Redirect(_back(unit, day, done="shift-added"), status_code=303)


@post("/dashboard/roster/shifts/{shift_id:int}/remove", include_in_schema=False)
async def remove_shift(request: Req, store: Store, shift_id: Annotated[int, Parameter(ge=1, le=2**63 - 1)]) -> Redirect:
    viewer, form = await _form(request)
    await roster.remove_shift(store, viewer, shift_id)
    wake(request.app, "roster")
    return Redirect(_back(form.get("unit", ""), done="shift-removed"), status_code=303)


ROUTES = [kiosks, pair, revoke, add_shift, remove_shift]
