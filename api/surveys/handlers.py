"""Routes: the receipt QR (API, integrator key) and the questionnaire pages at ``/s/{token}``.

Pages answer in the page's language with a 4xx status and never problem JSON: 404 for a tampered or
unknown link, 410 once it has expired, 200 "already answered" when it is opened again and 409 when a
second response is posted (nothing is stored), 422 with the form and the errors beside the questions.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import Parameter

from api.auth import requires
from api.db import Store, StoreError
from api.errors import DomainError, TooManyRequests
from api.instruments.loader import Questionnaire
from api.surveys import pages, qr, service
from api.surveys.logs import mask
from api.surveys.schemas import FormResult

log = logging.getLogger("hailong.surveys")
QR_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # a QR holds a survey link


def _surveys(request: Request[Any, Any, Any]) -> service.Surveys:
    surveys: service.Surveys = request.app.state.surveys
    return surveys


def _kind(item: Any) -> str:
    return str(type(item).__struct_config__.tag)


def _form(visit: service.Visit, lang: pages.Lang, result: FormResult | None = None, status: int = 200) -> Response[str]:
    q: Questionnaire = visit.questionnaire
    return pages.render(
        "form.html",
        status=status,
        lang=lang,
        q=q,
        dossier=visit.dossier,
        kind=_kind,
        errors=result.errors if result else {},
        chosen=result.chosen if result else {},
    )


def _refusal(exc: DomainError, lang: pages.Lang, request: Request[Any, Any, Any]) -> Response[str]:
    if isinstance(exc, service.LinkExpired):
        return pages.message("expired", 410, lang, days=_surveys(request).settings.survey_ttl_days)
    return pages.message("unknown", 404, lang)


def page_error(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    """Anything else on a survey page: a readable page in the page's language (never problem JSON), and a
    log line without the token."""
    lang = pages.lang_of(request.query_params.get("lang"))
    status = exc.status_code if isinstance(exc, HTTPException) else exc.status if isinstance(exc, DomainError) else 0
    if 400 <= status < 500:
        kind = {404: "unknown", 410: "unknown", 413: "too_large", 429: "too_many"}.get(status, "bad_form")
        page = pages.message(kind, status, lang)
        if isinstance(exc, TooManyRequests):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if isinstance(exc, StoreError):
        log.warning("survey page: database unavailable on %s %s: %s", request.method, mask(request.url.path), exc)
        return pages.message("error", 503, lang)
    log.error("survey page failed on %s %s: %r", request.method, mask(request.url.path), exc)
    return pages.message("error", 500, lang)


class SurveyPages(Controller):
    path = "/s"
    include_in_schema = False
    # Every kind the app maps to problem JSON, mapped here to pages (the most specific class wins across layers).
    exception_handlers = dict.fromkeys((Exception, HTTPException, DomainError, StoreError), page_error)

    @get("/{token:str}")
    async def show(
        self, request: Request[Any, Any, Any], token: str, store: Store, lang: str | None = None
    ) -> Response[str]:
        language = pages.lang_of(lang)
        try:
            visit = await service.visit(store, _surveys(request), token)
        except (service.LinkUnknown, service.LinkExpired) as exc:
            return _refusal(exc, language, request)
        if visit.state == "answered":
            return pages.message("answered", 200, language)
        return _form(visit, language)

    @post("/{token:str}", status_code=200)
    async def answer(self, request: Request[Any, Any, Any], token: str, store: Store) -> Response[str]:
        raw = await request.form()
        form = {k: [v for v in raw.getall(k) if isinstance(v, str)] for k in raw}
        language = pages.lang_of((form.get("lang") or [request.query_params.get("lang", "")])[0])
        try:
            visit, result = await service.submit(store, _surveys(request), token, form, language)
        except (service.LinkUnknown, service.LinkExpired) as exc:
            return _refusal(exc, language, request)
        if result is not None:
            return _form(visit, language, result, status=422)
        if visit.state == "answered":
            return pages.message("answered", 409, language)
        return pages.message("thanks", 200, language)


class DossierQR(Controller):
    path = "/api/v1/dossiers/{code:str}"
    tags = ["dossiers"]
    guards = [requires("integrator")]

    @get("/qr.svg", summary="The dossier's survey QR as SVG (25 mm wide, for the receipt)", media_type="image/svg+xml")
    async def svg(self, request: Request[Any, Any, Any], code: str, store: Store) -> Response[str]:
        url = await service.dossier_url(store, _surveys(request), code)
        return Response(qr.svg(qr.encode(url)), media_type="image/svg+xml", headers=QR_HEADERS)

    @get("/qr.png", summary="The dossier's survey QR as a 1-bit PNG at most `size` pixels wide", media_type="image/png")
    async def png(
        self,
        request: Request[Any, Any, Any],
        code: str,
        store: Store,
        size: Annotated[int, Parameter(ge=21, le=qr.MAX_PNG_SIZE)] = 200,
    ) -> Response[bytes]:
        url = await service.dossier_url(store, _surveys(request), code)
        return Response(qr.png(qr.encode(url), size), media_type="image/png", headers=QR_HEADERS)

    @get("/receipt", summary="A printable receipt block: the QR and a one-line invitation", media_type="text/html")
    async def receipt(self, request: Request[Any, Any, Any], code: str, store: Store) -> Response[str]:
        url = await service.dossier_url(store, _surveys(request), code)
        html = pages.receipt(code, url, qr.svg(qr.encode(url), size_mm=None))
        return Response(html, media_type="text/html", headers=QR_HEADERS)


ROUTES = [SurveyPages, DossierQR]
