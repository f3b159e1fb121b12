"""Limits on the HTTP connection, for uvicorn: slow clients cannot hold connections open for ever.

uvicorn times out an idle keep-alive connection, but not a client that sends its request a byte at a time.
``DeadlineProtocol`` (uvicorn's httptools protocol) closes a connection whose request line and headers are
not complete ``HEADER_SECONDS`` after the connection opened or the request began, and one whose body is not
complete ``BODY_SECONDS`` after its headers. ``UVICORN_LIMITS`` are the server settings ``hailong serve``
uses; a reverse proxy in front should add its own (README, "Behind a reverse proxy").
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_SECONDS = 10.0
BODY_SECONDS = 30.0
KEEP_ALIVE_SECONDS = 5
MAX_CONNECTIONS = 1000  # per worker; beyond it uvicorn answers 503 at once


class DeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a deadline for the headers and one for the body of each request."""

    header_seconds = HEADER_SECONDS
    body_seconds = BODY_SECONDS
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection from %s: its request came too slowly", self.client)
            self.transport.close()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm(self.header_seconds)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm(self.header_seconds)

    def on_headers_complete(self) -> None:
        self._arm(self.body_seconds)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_limits() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the deadlines above, keep-alive, concurrency, header sizes."""
    limits: dict[str, Any] = {
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": MAX_CONNECTIONS,
        "h11_max_incomplete_event_size": 16 * 1024,
        "timeout_graceful_shutdown": 10,
        "http": DeadlineProtocol,  # uvicorn[standard] brings httptools
    }
    return limits
