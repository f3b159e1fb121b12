"""Page weight: the gzip size of everything a page loads (HTML, scripts, styles, icons, manifest, worker).

    python -m bench.page_weight                       # /kiosk, on an in-process app with a temp database
    python -m bench.page_weight /kiosk /s/TOKEN --base http://127.0.0.1:8000 --budget 25000
    python -m bench.page_weight "/dashboard?unit=HB" --base http://127.0.0.1:8000 --budget 60000 \
        --cookie hailong_session=…                    # a signed-in page: the session cookie of a browser

It starts at each path, follows what the page references (script/link/img in HTML; imports, workers and
asset paths in JavaScript; url() in CSS; icons in a web manifest), fetches each same-origin file once
uncompressed, and prints its raw and gzip -9 size and the total per page. A reference to another origin is
reported: the pages must make no external requests. Exit status 1 if a page is over the budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

Fetch = Callable[[str], tuple[bytes, str]]  # path -> (body, content type)

STATIC = r"\.(?:js|mjs|css|svg|png|ico|webp|json|webmanifest|woff2?|html)"
JS_REFS = [
    re.compile(r"""\bimport\s*(?:[\w*{}\s,]+from\s*)?['"]([^'"]+)['"]"""),
    re.compile(r"""\bimport\(\s*['"]([^'"]+)['"]"""),
    re.compile(r"""\b(?:register|Worker|importScripts)\(\s*['"]([^'"]+)['"]"""),
    re.compile(rf"""['"]((?:/|\./)[\w./-]*{STATIC})['"]"""),
]
CSS_REFS = [re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)"""), re.compile(r"""@import\s+['"]([^'"]+)['"]""")]


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "source", "audio", "video", "iframe") and a.get("src"):
            self.found.append(a["src"] or "")
        elif tag == "link" and a.get("href") and a.get("rel", "") != "canonical":
            self.found.append(a["href"] or "")


def references(body: bytes, content_type: str) -> list[str]:
    text = body.decode("utf-8", "replace")
    if "html" in content_type:
        parser = _Refs()
        parser.feed(text)
        return parser.found
    if "javascript" in content_type:
        return [m for pattern in JS_REFS for m in pattern.findall(text)]
    if "css" in content_type:
        return [m for pattern in CSS_REFS for m in pattern.findall(text) if not m.startswith("data:")]
    if "manifest" in content_type or content_type.startswith("application/json"):
        try:
            return [icon["src"] for icon in json.loads(text).get("icons", []) if "src" in icon]
        except (ValueError, AttributeError, TypeError):
            return []
    return []


def weigh(fetch: Fetch, start: str) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(path, raw bytes, gzip bytes) for every file the page at ``start`` loads; and external references."""
    seen: dict[str, tuple[int, int]] = {}
    external: list[str] = []
    todo = [start]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        body, content_type = fetch(path)
        seen[path] = (len(body), len(gzip.compress(body, 9, mtime=0)))
        for ref in references(body, content_type):
            url = urljoin("http://page" + path, ref)
            parts = urlsplit(url)
            if parts.netloc != "page":
                external.append(ref)
            elif parts.path not in seen:
                todo.append(parts.path)
    return [(p, raw, gz) for p, (raw, gz) in seen.items()], external


def report(start: str, rows: list[tuple[str, int, int]], external: list[str], budget: int) -> bool:
    print(f"\npage weight of {start}  (gzip -9 of each response body)")
    print(f"  {'asset':<40} {'raw B':>9} {'gzip B':>9}")
    for path, raw, gz in rows:
        print(f"  {path:<40} {raw:>9,} {gz:>9,}")
    total = sum(gz for _, _, gz in rows)
    ok = total <= budget and not external
    print(
        f"  {'total (' + str(len(rows)) + ' files)':<40} {sum(r for _, r, _ in rows):>9,} {total:>9,}"
        f"   budget {budget:,}: {'ok' if total <= budget else 'OVER'}"
    )
    for ref in external:
        print(f"  EXTERNAL REQUEST: {ref}")
    return ok


def http_fetch(base: str, cookies: dict[str, str] | None = None) -> Fetch:
    import httpx

    client = httpx.Client(base_url=base, headers={"Accept-Encoding": "identity"}, cookies=cookies, timeout=30)

    def fetch(path: str) -> tuple[bytes, str]:
        r = client.get(path)
        r.raise_for_status()
        return r.content, r.headers.get("content-type", "")

    return fetch


@contextmanager
def in_process_fetch() -> Iterator[Fetch]:
    """The app in this process on a throw-away SQLite file: nothing to start by hand."""
    from litestar.testing import TestClient

    from api.app import create_app
    from api.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"db_url": f"sqlite:///{tmp}/weight.db"}, environ={})
        with TestClient(create_app(settings)) as client:

            def fetch(path: str) -> tuple[bytes, str]:
                r = client.get(path, headers={"Accept-Encoding": "identity"})
                r.raise_for_status()
                return r.content, r.headers.get("content-type", "")

            yield fetch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.page_weight", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=["/kiosk"], help="page paths (default /kiosk)")
    parser.add_argument("--base", help="a running server, e.g. http://127.0.0.1:8000 (default: in-process app)")
    parser.add_argument("--budget", type=int, default=25_000, help="gzip bytes allowed per page (25000)")
    parser.add_argument("--cookie", action="append", default=[], help="NAME=VALUE sent with --base (repeatable)")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ok = True
    cookies = dict(c.split("=", 1) for c in args.cookie)
    with in_process_fetch() if args.base is None else _just(http_fetch(args.base, cookies)) as fetch:
        for path in args.paths:
            rows, external = weigh(fetch, path)
            ok = report(path, rows, external, args.budget) and ok
    return 0 if ok else 1


@contextmanager
def _just(fetch: Fetch) -> Iterator[Fetch]:
    yield fetch


if __name__ == "__main__":
    sys.exit(main())
