"""Rate limits: token buckets kept in the process, by key, in bounded memory.

A bucket holds up to ``burst`` tokens and gains ``per_minute`` of them a minute; each request takes one.
A kiosk that was offline all day can still deliver its whole backlog at once (the burst), while a
flood from one credential is stopped at the sustained rate. Each API worker keeps its own buckets, so
with N workers a caller may get up to N times the figures.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict


class Buckets:
    def __init__(self, burst: int, per_minute: float, max_keys: int = 10_000) -> None:
        self.burst = float(burst)
        self.per_second = per_minute / 60.0
        self.max_keys = max_keys
        self._buckets: OrderedDict[object, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def wait(self, key: object, now: float | None = None) -> float:
        """The seconds until ``key`` has a token, taking none (0: it has one now)."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_second)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / self.per_second if self.per_second > 0 else math.inf

    def take(self, key: object, now: float | None = None) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until the next token."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.per_second if self.per_second > 0 else math.inf
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)  # the longest unused: a full bucket again when it returns
        return wait


class AddressLimits:
    """What one client address (api/clients.py) may do without a valid credential: a few wrong keys
    (each costs a database look-up), and a bounded stream of survey pages and forms. A citizen opening
    their receipt's link, or a kiosk with a revoked token, stays far below both."""

    def __init__(self, failed_credentials: int = 100, survey_requests: int = 60) -> None:
        """Each a burst, refilled at the same number a minute."""
        self.failed_credentials = Buckets(burst=failed_credentials, per_minute=failed_credentials)
        self.survey_requests = Buckets(burst=survey_requests, per_minute=survey_requests)
