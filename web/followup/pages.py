"""The follow-up pages: ``/dashboard/alerts`` (list, acknowledge, the day's digest), ``/dashboard/cases`` and
``/dashboard/cases/{id}`` (move, assign, history), ``/dashboard/dossiers?code=`` (lookup). Thin: each reads or
changes through api/followup/service.py with the signed-in viewer, as the API does; errors are pages (the
spine's error handlers), and every form carries the CSRF token."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.db import Store, now_ms
from api.errors import DomainError, Invalid
from api.followup import service
from api.followup.cases import MOVES, local_day
from api.followup.schemas import AlertState, CaseState
from api.insights.queries import units as unit_rows
from api.instruments.loader import counter_instrument, load_all
from api.settings import Settings
from web import pages
from web.dashboard.picker import Option, tree_options
from web.i18n import N_, Text

Req = Request[Any, Any, Any]
Id = Annotated[int, Parameter(ge=1, le=2**63 - 1)]
ROWS = 200
ALERT_STATES: tuple[str, ...] = get_args(AlertState)
CASE_STATES: tuple[str, ...] = get_args(CaseState)
CAUSES = {  # the words for each kind of alert (msgids)
    "counter_unhappy": N_("Many dissatisfied ratings at a counter"),
    "spc_concern": N_("Satisfaction chart: a special cause of concern"),
    "theme_spike": N_("A complaint theme rose beyond its usual range"),
    "integrity": N_("Integrity flag"),
}
STATES = {
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "closed": N_("Closed"),
    "in_progress": N_("In progress"),
    "answered": N_("Answered"),
    "dismissed": N_("Dismissed"),
}
REASONS = {
    "unsatisfied": N_("“Không hài lòng” at the counter"),
    "dossier": N_("names a dossier"),
    "comment": N_("with a comment"),
    "harassment": N_("reports harassment"),
    "informal_payment": N_("reports informal payments"),
}


# A refused change, in the user's words: by the error's code, else by the field it names (msgids).
ERRORS = {
    "bad-transition": N_("The case cannot move to this state from the one it is in."),
    "unknown-user": N_("There is no user with this name."),
    "assignee-outside-unit": N_("This user works outside the case's unit."),
    "response": N_("Write the response to the citizen to answer the case."),
    "reason": N_("Write the reason to dismiss the case."),
}


def error_text(exc: DomainError) -> str:
    keys = [exc.code] + [str(e.get("key", "")) for e in exc.errors]
    return next((ERRORS[k] for k in keys if k in ERRORS), N_("Something in this request is not right"))


def cause_text(t: Text, cause: str) -> str:
    family, _, detail = cause.partition(":")
    words = t(CAUSES.get(family, cause))
    return f"{words}: {detail}" if detail else words


def evidence_text(t: Text, cause: str, ev: dict[str, Any]) -> str:
    """The evidence of an alert in words (the whole of it stays in the API's answer)."""
    family = cause.partition(":")[0]
    if family == "counter_unhappy":
        return t(
            "{unhappy} of {n} ratings “Không hài lòng” within {minutes} minutes (an alert at {share} or more,"
            " with at least {least} ratings)",
            unhappy=t.number(ev.get("unsatisfied", 0)), n=t.number(ev.get("ratings", 0)),
            minutes=ev.get("window_minutes", ""), share=t.percent(ev.get("share_at_least"), 0),
            least=ev.get("min_ratings", ""),
        )  # fmt: skip
    if family == "spc_concern":
        return t("A special cause of concern since {since}", since=ev.get("variation_since") or "—")
    if family == "theme_spike":
        return t(
            "{share} of dissatisfied comments in {period}; its usual range reaches {upper}",
            share=t.percent(ev.get("share")), period=ev.get("period", ""), upper=t.percent(ev.get("upper")),
        )  # fmt: skip
    return str(ev.get("detail", ""))


def when(t: Text, value: datetime | None, tz: str) -> str:
    return "—" if value is None else t.datetime(value.astimezone(ZoneInfo(tz)), "short")


def helpers(settings: Settings) -> dict[str, Any]:
    return {
        "cause_text": cause_text,
        "evidence_text": evidence_text,
        "when": lambda t, value: when(t, value, settings.timezone),
        "state_names": STATES,
        "reason_names": REASONS,
    }


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """A filter from a form: empty means all; anything else must be one of ``allowed``."""
    if not value:
        return None
    if value not in allowed:
        raise Invalid(f"{value!r} is not one of {', '.join(allowed)}.")
    return value


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{value!r} is not a date (YYYY-MM-DD).") from None


async def _unit_options(store: Store, viewer: Any, unit: str | None) -> list[Option]:
    """The units the viewer may see, for the filter (the dashboard's own picker lists them the same way)."""
    return tree_options(await store.read(unit_rows), viewer, unit)


def _today(settings: Settings) -> date:
    return date.fromisoformat(local_day(now_ms(), settings.timezone))


async def _form(request: Req) -> tuple[Any, dict[str, str]]:
    """The form, once its CSRF token is checked (before anything else), and the signed-in viewer."""
    form = await request.form()
    pages.check_csrf(request, form)
    viewer = await pages.page_viewer(request)
    return viewer, {k: v.strip() for k, v in form.items() if isinstance(v, str)}


class AlertPages(Controller):
    include_in_schema = False

    @get("/dashboard/alerts")
    async def alerts(
        self,
        request: Req,
        store: Store,
        settings: Settings,
        status: Annotated[str | None, Parameter(query="state", max_length=20)] = None,
        day: Annotated[str | None, Parameter(max_length=20)] = None,
        unit: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> Response[str]:
        viewer = await pages.page_viewer(request)
        state, on = _choice(status, ALERT_STATES), _day(day)
        return await _alerts_page(request, store, settings, viewer, state, on, unit=unit or None)

    @post("/dashboard/alerts/{alert_id:int}/acknowledge")
    async def acknowledge(self, request: Req, store: Store, settings: Settings, alert_id: Id) -> Response[str]:
        viewer, form = await _form(request)
        try:
            await service.acknowledge(store, viewer, alert_id, form.get("note", ""))
        except Invalid:
            return await _alerts_page(request, store, settings, viewer, None, None, status=422, failed=alert_id)
        return Response("", status_code=303, headers={"Location": f"/dashboard/alerts#alert-{alert_id}"})


async def _alerts_page(
    request: Req,
    store: Store,
    settings: Settings,
    viewer: Any,
    state: str | None,
    day: date | None,
    *,
    unit: str | None = None,
    status: int = 200,
    failed: int | None = None,
) -> Response[str]:
    day = day or _today(settings)
    found = await service.list_alerts(store, viewer, unit=unit, state=state, limit=ROWS, before=None)
    digest = await service.digest(store, viewer, day, unit, settings.timezone)
    return pages.render(
        request,
        "followup/alerts.html",
        status=status,
        units=await _unit_options(store, viewer, unit),
        unit=unit or "",
        alerts=found,
        digest=digest,
        state=state or "",
        day=day,
        manages=viewer.role in ("admin", "manager"),
        failed=failed,
        **helpers(settings),
    )


class CasePages(Controller):
    include_in_schema = False

    @get("/dashboard/cases")
    async def cases(
        self,
        request: Req,
        store: Store,
        settings: Settings,
        status: Annotated[str | None, Parameter(query="state", max_length=20)] = None,
        overdue: bool = False,
        unit: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> Response[str]:
        viewer = await pages.page_viewer(request)
        status, unit = _choice(status, CASE_STATES), unit or None
        found = await service.list_cases(
            store, viewer, unit=unit, state=status, overdue=overdue, limit=ROWS, before=None, tz=settings.timezone
        )
        today = _today(settings)
        scope = await store.read(lambda tx: service.scope_units(tx, viewer, unit))
        timeliness = await service.handling(store, scope, today.replace(day=1), today)
        return pages.render(
            request,
            "followup/cases.html",
            cases=found,
            units=await _unit_options(store, viewer, unit),
            timeliness=timeliness,
            month_start=today.replace(day=1),
            today=today,
            state=status or "",
            overdue=overdue,
            **helpers(settings),
        )

    @get("/dashboard/cases/{case_id:int}")
    async def case(self, request: Req, store: Store, settings: Settings, case_id: Id) -> Response[str]:
        viewer = await pages.page_viewer(request)
        return await _case_page(request, store, settings, viewer, case_id)

    @post("/dashboard/cases/{case_id:int}/transition")
    async def transition(self, request: Req, store: Store, settings: Settings, case_id: Id) -> Response[str]:
        viewer, form = await _form(request)
        to = form.get("to", "")
        if to not in STATES or to in ("acknowledged", "closed"):
            raise Invalid(f"{to!r} is not a state of a case.")
        try:
            await service.transition(
                store, viewer, case_id, to, form.get("note") or None, form.get("response") or None,
                form.get("reason") or None,
            )  # fmt: skip
        except Invalid as exc:
            return await _case_page(request, store, settings, viewer, case_id, status=422, error=exc, form=form)
        return Response("", status_code=303, headers={"Location": f"/dashboard/cases/{case_id}"})

    @post("/dashboard/cases/{case_id:int}/assign")
    async def assign(self, request: Req, store: Store, settings: Settings, case_id: Id) -> Response[str]:
        viewer, form = await _form(request)
        try:
            await service.assign(store, viewer, case_id, form.get("assignee") or None, form.get("note") or None)
        except Invalid as exc:
            return await _case_page(request, store, settings, viewer, case_id, status=422, error=exc, form=form)
        return Response("", status_code=303, headers={"Location": f"/dashboard/cases/{case_id}"})


async def _case_page(
    request: Req,
    store: Store,
    settings: Settings,
    viewer: Any,
    case_id: int,
    *,
    status: int = 200,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> Response[str]:
    found = await service.get_case(store, viewer, case_id)
    return pages.render(
        request,
        "followup/case.html",
        status=status,
        case=found,
        moves=MOVES[found.state],
        manages=viewer.role in ("admin", "manager"),
        error=None if error is None else error_text(error),
        form=form or {},
        **helpers(settings),
    )


class DossierPage(Controller):
    include_in_schema = False

    @get("/dashboard/dossiers")
    async def lookup(
        self,
        request: Req,
        store: Store,
        settings: Settings,
        code: Annotated[str | None, Parameter(max_length=64)] = None,
    ) -> Response[str]:
        viewer = await pages.page_viewer(request)
        code = (code or "").strip()
        found = None
        status = 200
        if code:
            try:
                found = await service.dossier_feedback(store, viewer, code)
            except DomainError as exc:
                if exc.status != 404:
                    raise
                status = 404
        return pages.render(
            request,
            "followup/dossier.html",
            status=status,
            code=code,
            dossier=found,
            level_name=level_name,
            item_name=item_name,
            value_name=value_name,
            **helpers(settings),
        )


def level_name(lang: str, level: int, scale: int) -> str:
    for found in counter_instrument(scale).levels:
        if found.value == level:
            return found.en if lang == "en" else found.vi
    return str(level)


@cache
def _labels(instrument: str) -> dict[str, tuple[dict[str, str], dict[int, dict[str, str]]]]:
    """Item (and grid row) code → its words, and its options' words, from the instrument file."""
    try:
        q = load_all().questionnaire(instrument)
    except Exception:
        return {}
    scale = {o.value: {"vi": o.vi, "en": o.en} for o in q.scale}
    out: dict[str, tuple[dict[str, str], dict[int, dict[str, str]]]] = {}
    for item in q.items:
        options = {o.value: {"vi": o.vi, "en": o.en} for o in getattr(item, "options", [])} or scale
        out[item.code] = ({"vi": item.vi, "en": item.en}, options)
        for row in getattr(item, "rows", []):
            out[row.code] = ({"vi": row.vi, "en": row.en}, options)
    return out


def item_name(lang: str, instrument: str, item: str) -> str:
    found = _labels(instrument).get(item)
    return found[0][lang] if found else item


def value_name(lang: str, instrument: str, item: str, value: int | None) -> str:
    if value is None:
        return "—"
    found = _labels(instrument).get(item)
    words = found[1].get(value) if found else None
    return words[lang] if words else str(value)


ROUTES = [AlertPages, CasePages, DossierPage]
