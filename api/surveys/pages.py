"""Server-rendered survey pages: Jinja templates, their words in two languages, and safe headers.

The stylesheet and the script are inlined (one request on 3G, not three) and allowed by hash in the
Content-Security-Policy, which also forbids every external request.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2
from litestar import Response

Lang = Literal["vi", "en"]

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "switch": "English",
        "dossier": "Hồ sơ",
        "submit": "Gửi đánh giá",
        "next": "Tiếp",
        "back": "Quay lại",
        "step": "Bước",
        "of": "/",
        "choose": "— chọn —",
        "required": "Vui lòng chọn một mức, hoặc «Không áp dụng».",
        "invalid": "Câu trả lời không hợp lệ, xin chọn lại.",
        "too_long": "Ý kiến quá dài, xin rút gọn.",
        "summary": "Còn câu chưa trả lời hoặc chưa hợp lệ, xem chỗ đánh dấu bên dưới.",
        "thanks_title": "Cảm ơn Ông/Bà!",
        "thanks": "Ý kiến của Ông/Bà đã được ghi nhận. Phiếu khảo sát là ẩn danh.",
        "answered_title": "Hồ sơ này đã được đánh giá",
        "answered": "Mỗi hồ sơ chỉ trả lời phiếu một lần, và phiếu của hồ sơ này đã được gửi. Cảm ơn Ông/Bà!",
        "expired_title": "Liên kết đã hết hạn",
        "expired": "Phiếu khảo sát đóng sau {days} ngày kể từ khi trả kết quả. Ông/Bà vẫn có thể góp ý"
        " tại Bộ phận Một cửa hoặc qua đường dây nóng của cơ quan.",
        "unknown_title": "Liên kết không hợp lệ",
        "unknown": "Xin quét lại mã QR trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, hoặc gõ lại đúng địa chỉ"
        " in dưới mã. Nếu vẫn không được, xin góp ý tại Bộ phận Một cửa.",
        "too_large_title": "Phiếu quá dài",
        "too_large": "Phiếu gửi lên dài quá mức cho phép nên chưa được lưu. Xin rút gọn ý kiến rồi gửi lại;"
        " liên kết vẫn dùng được.",
        "bad_form_title": "Phiếu không đọc được",
        "bad_form": "Máy chủ không đọc được phiếu vừa gửi nên chưa lưu. Xin mở lại liên kết và gửi lại.",
        "too_many_title": "Xin đợi một chút",
        "too_many": "Có quá nhiều yêu cầu từ mạng của Ông/Bà. Xin đợi một phút rồi mở lại liên kết.",
        "error_title": "Chưa gửi được",
        "error": "Máy chủ đang bận nên chưa lưu được. Xin thử lại sau ít phút; liên kết vẫn dùng được.",
        "invite": "Quét mã QR để đánh giá mức độ hài lòng (ẩn danh, 3 phút)",
    },
    "en": {
        "switch": "Tiếng Việt",
        "dossier": "Dossier",
        "submit": "Send",
        "next": "Next",
        "back": "Back",
        "step": "Step",
        "of": "of",
        "choose": "— choose —",
        "required": "Please choose a level, or “Not applicable”.",
        "invalid": "This answer is not valid; please choose again.",
        "too_long": "This comment is too long; please shorten it.",
        "summary": "Some questions are unanswered or not valid; see the marks below.",
        "thanks_title": "Thank you!",
        "thanks": "Your answers have been recorded. The survey is anonymous.",
        "answered_title": "This dossier has already been rated",
        "answered": "Each dossier answers the survey once, and this one has been sent. Thank you!",
        "expired_title": "This link has expired",
        "expired": "The survey closes {days} days after the result is returned. You can still give feedback"
        " at the one-stop desk or through the office's hotline.",
        "unknown_title": "This link is not valid",
        "unknown": "Please scan the QR code on your receipt again, or retype the address printed under it."
        " If it still fails, please give feedback at the one-stop desk.",
        "too_large_title": "Your answers are too long",
        "too_large": "What was sent is longer than allowed, so it was not saved. Please shorten your comment and"
        " send again; the link still works.",
        "too_many_title": "Please wait a moment",
        "too_many": "Too many requests came from your network. Please wait a minute, then open the link again.",
        "bad_form_title": "Your answers could not be read",
        "bad_form": "The server could not read what was sent, so it was not saved. Please open the link again"
        " and resend.",
        "error_title": "Not sent yet",
        "error": "The server is busy and could not save this. Please try again in a few minutes; the link still works.",
        "invite": "Scan to rate our service (anonymous, 3 minutes)",
    },
}


def lang_of(value: str | None) -> Lang:
    return "en" if value == "en" else "vi"


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["asset"] = asset
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


def render(template: str, *, status: int = 200, lang: Lang = "vi", **context: Any) -> Response[str]:
    html = _env().get_template(f"survey/{template}").render(lang=lang, w=WORDS[lang], **context)
    headers = {**PAGE_HEADERS, "Content-Security-Policy": csp(), "Content-Language": lang}
    return Response(html, status_code=status, media_type="text/html", headers=headers)


def message(kind: str, status: int, lang: Lang, **values: Any) -> Response[str]:
    """A page that only says something: thanks, already answered, expired, not valid, error."""
    words = WORDS[lang]
    return render(
        "message.html",
        status=status,
        lang=lang,
        kind=kind,
        title=words[f"{kind}_title"],
        text=words[kind].format(**values),
    )


def receipt(code: str, url: str, svg: str) -> str:
    """The printable block for a 58 mm receipt (Vietnamese, like the receipt itself)."""
    return _env().get_template("survey/receipt.html").render(code=code, url=url, svg=svg, invite=WORDS["vi"]["invite"])
