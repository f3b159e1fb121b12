"""Server-rendered survey pages: Jinja templates, their words from the message catalogue (``t`` in every
template, see web/i18n.py), and safe headers.

The stylesheet and the script are inlined (one request on 3G, not three) and allowed by hash in the
Content-Security-Policy, which also forbids every external request.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from litestar import Response

from web.i18n import DEFAULT, N_, Lang, lang_of, language_name, switch_to, text
from web.pages import templates

__all__ = ["ERRORS", "MESSAGES", "Lang", "lang_of", "message", "receipt", "render"]

ERRORS = {  # what api/surveys/schemas.py finds wrong with an answer → the words beside the question
    "required": N_("Please choose a level, or “Not applicable”."),
    "invalid": N_("This answer is not valid; please choose again."),
    "too_long": N_("This comment is too long; please shorten it."),
}


@dataclass(frozen=True)
class Said:
    title: str
    text: str


MESSAGES = {  # the pages that only say something: their title and text (msgids)
    "thanks": Said(N_("Thank you!"), N_("Your answers have been recorded. The survey is anonymous.")),
    "answered": Said(
        N_("This dossier has already been rated"),
        N_("Each dossier answers the survey once, and this one has been sent. Thank you!"),
    ),
    "expired": Said(
        N_("This link has expired"),
        N_(
            "The survey closes {days} days after the result is returned. You can still give feedback"
            " at the one-stop desk or through the office's hotline."
        ),
    ),
    "unknown": Said(
        N_("This link is not valid"),
        N_(
            "Please scan the QR code on your receipt again, or retype the address printed under it."
            " If it still fails, please give feedback at the one-stop desk."
        ),
    ),
    "too_large": Said(
        N_("Your answers are too long"),
        N_(
            "What was sent is longer than allowed, so it was not saved. Please shorten your comment and"
            " send again; the link still works."
        ),
    ),
    "too_many": Said(
        N_("Please wait a moment"),
        N_("Too many requests came from your network. Please wait a minute, then open the link again."),
    ),
    "bad_form": Said(
        N_("Your answers could not be read"),
        N_("The server could not read what was sent, so it was not saved. Please open the link again and resend."),
    ),
    "error": Said(
        N_("Not sent yet"),
        N_("The server is busy and could not save this. Please try again in a few minutes; the link still works."),
    ),
}


@cache
def _env() -> jinja2.Environment:
    env = templates()
    env.globals.update(asset=asset, language_name=language_name, errors_text=ERRORS)
    return env


@cache
def asset(name: str) -> str:
    """web/static/survey.css or survey.js, inlined into the page."""
    return resources.files("web").joinpath("static", name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@cache
def csp() -> str:
    return (
        f"default-src 'none'; style-src {_hash(asset('survey.css'))}; script-src {_hash(asset('survey.js'))};"
        " img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def render(template: str, *, status: int = 200, lang: Lang = DEFAULT, **context: Any) -> Response[str]:
    t = text(lang)
    html = _env().get_template(f"survey/{template}").render(lang=lang, t=t, other=switch_to(lang), **context)
    headers = {**PAGE_HEADERS, "Content-Security-Policy": csp(), "Content-Language": lang}
    return Response(html, status_code=status, media_type="text/html", headers=headers)


def message(kind: str, status: int, lang: Lang, **values: Any) -> Response[str]:
    """A page that only says something: thanks, already answered, expired, not valid, error."""
    t, said = text(lang), MESSAGES[kind]
    numbers = {name: t.number(value) for name, value in values.items()}
    return render(
        "message.html", status=status, lang=lang, kind=kind, title=t(said.title), text=t(said.text, **numbers)
    )


def receipt(code: str, url: str, svg: str) -> str:
    """The printable block for a 58 mm receipt (Vietnamese, like the receipt itself)."""
    t = text(DEFAULT)
    invite = t("Scan to rate our service (anonymous, 3 minutes)")
    return _env().get_template("survey/receipt.html").render(code=code, url=url, svg=svg, invite=invite)
