"""The counter kiosk page and its assets, served by the API from ``kiosk/static``.

Files are read once (on the first request); the page is given its words in every language from the
message catalogue (``web/locale``; the script picks the language, offline too), every file is stamped with
a version (a digest of all of them, so the service worker updates when any asset or word changes),
gzipped once, and served with an ETag; the page itself decides what is cached offline (``sw.js``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from litestar import Request, Response, get

from api.errors import NotFound
from api.instruments.loader import Counter, load_all
from web.i18n import DEFAULT, LANGS, language_name, text
from web.messages import kiosk_msgids, worded

TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "queue.js": "text/javascript; charset=utf-8",
    "sw.js": "text/javascript; charset=utf-8",
    "manifest.webmanifest": "application/manifest+json",
    "icon.svg": "image/svg+xml",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


@cache
def load_assets() -> dict[str, Asset]:
    """Read once, on the first request for a kiosk file (not at import)."""
    folder = resources.files("kiosk").joinpath("static")
    raw = {name: folder.joinpath(name).read_bytes() for name in TYPES}
    raw["index.html"] = raw["index.html"].replace(b"__WORDS__", words(kiosk_msgids(raw)))
    t = text(DEFAULT)  # an installed kiosk's name, in the language it starts in
    raw["manifest.webmanifest"] = raw["manifest.webmanifest"].replace(
        b"__TITLE__", json.dumps(t("Rate our service"), ensure_ascii=False)[1:-1].encode()
    )
    version = hashlib.sha256(b"".join(raw[n] for n in sorted(raw))).hexdigest()[:12]
    assets = {}
    for name, body in raw.items():
        body = body.replace(b"__VERSION__", version.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        assets[name] = Asset(body, gzip.compress(body, 9, mtime=0), etag, TYPES[name])
    return assets


def words(msgids: set[str]) -> bytes:
    """The kiosk's words in every language, as JSON for the page's ``<script type="application/json">``:
    its own msgids and the English source of the counter instruments' texts (shown translated in every
    language but Vietnamese, where the instrument's own wording is shown)."""
    for instrument in load_all().by_code.values():
        if isinstance(instrument, Counter):
            msgids |= {msgid for msgid, _ in worded(instrument)}
    table: dict[str, dict[str, str]] = {"names": {lang: language_name(lang) for lang in LANGS}}
    table |= {lang: text(lang).table(msgids) for lang in LANGS}
    return json.dumps(table, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").encode()


def serve(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    asset = load_assets().get(name)
    if asset is None or (name == "index.html" and request.url.path != "/kiosk"):
        raise NotFound(f"The kiosk has no file {name!r}.")
    headers = {
        "Cache-Control": "no-cache",
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if name == "index.html":
        headers["Content-Security-Policy"] = CSP
    if name == "sw.js":
        headers["Service-Worker-Allowed"] = "/kiosk"
    if request.headers.get("if-none-match") == asset.etag:
        return Response(b"", status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


@get("/kiosk", include_in_schema=False, sync_to_thread=False)
def kiosk_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    return serve(request, "index.html")


@get("/kiosk/{name:str}", include_in_schema=False, sync_to_thread=False)
def kiosk_asset(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    return serve(request, name)


ROUTES = [kiosk_page, kiosk_asset]
