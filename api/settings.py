"""One typed settings object, read once from the environment and the command line."""

from __future__ import annotations

import os
from typing import Any

import msgspec

from api.clients import parse_proxies
from api.db.open import DEFAULT_URL, parse_db_url


class SettingsError(ValueError):
    """A missing or unsafe setting: the service refuses to start and says which one."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    db_url: str = DEFAULT_URL
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    survey_ttl_days: int = 30
    min_tap_interval_ms: int = 1500
    auth_cache_seconds: float = 5.0
    rollup_seconds: float = 5.0
    access_log: bool = False
    device_burst: int = 600
    device_per_minute: float = 30
    key_burst: int = 5000
    key_per_minute: float = 6000
    trusted_proxies: str = ""
    alert_window_minutes: int = 15
    alert_share: float = 0.5
    alert_min_ratings: int = 4
    case_working_days: int = 15
    followup_poll_seconds: float = 2.0
    tls: bool = False
    session_idle_minutes: int = 30
    session_hours: int = 10

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS: said outright (HAILONG_TLS=1), or implied by an https public URL."""
        return self.tls or self.public_url.startswith("https://")

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


# Every setting, its environment variable and what it means (the README table is checked against this).
ENV = {
    "db_url": ("HAILONG_DB", "database URL: sqlite:///path (default ./hailong.db) or postgresql://user@host/db"),
    "host": ("HAILONG_HOST", "address to listen on (default 127.0.0.1)"),
    "port": ("HAILONG_PORT", "port to listen on (default 8000)"),
    "public_url": ("HAILONG_PUBLIC_URL", "base URL printed on receipts and shown to users"),
    "timezone": ("HAILONG_TIMEZONE", "default time zone for new units (default Asia/Ho_Chi_Minh)"),
    "survey_ttl_days": ("HAILONG_SURVEY_TTL_DAYS", "days a receipt link stays open after the result is returned"),
    "min_tap_interval_ms": ("HAILONG_MIN_TAP_INTERVAL_MS", "kiosk taps closer than this are ignored (1500)"),
    "auth_cache_seconds": ("HAILONG_AUTH_CACHE_SECONDS", "how long a checked key or device token is trusted"),
    "rollup_seconds": ("HAILONG_ROLLUP_SECONDS", "how often the rating rollups are refreshed; 0: only when read (5)"),
    "access_log": ("HAILONG_ACCESS_LOG", "1 to log each request (survey tokens are masked)"),
    "device_burst": ("HAILONG_DEVICE_BURST", "ratings a kiosk may send at once, e.g. a day's offline backlog (600)"),
    "device_per_minute": ("HAILONG_DEVICE_PER_MINUTE", "ratings a kiosk may send a minute after its burst (30)"),
    "key_burst": ("HAILONG_KEY_BURST", "ratings an API key may send at once (5000)"),
    "key_per_minute": ("HAILONG_KEY_PER_MINUTE", "ratings an API key may send a minute after its burst (6000)"),
    "trusted_proxies": (
        "HAILONG_TRUSTED_PROXIES",
        "reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma separated (default none)",
    ),
    "alert_window_minutes": ("HAILONG_ALERT_WINDOW_MINUTES", "fast counter alert: the sliding window (default 15)"),
    "alert_share": (
        "HAILONG_ALERT_SHARE",
        'fast counter alert: share of "Không hài lòng" in the window that opens it (default 0.5)',
    ),
    "alert_min_ratings": ("HAILONG_ALERT_MIN_RATINGS", "fast counter alert: ratings the window needs (default 4)"),
    "case_working_days": ("HAILONG_CASE_WORKING_DAYS", "working days a follow-up case has to be handled (15)"),
    "followup_poll_seconds": (
        "HAILONG_FOLLOWUP_POLL_SECONDS",
        "how often the follow-up task reads new ratings, responses and runs (default 2; 0 turns it off)",
    ),
    "tls": ("HAILONG_TLS", "1 when users reach the service over HTTPS (a TLS proxy in front): cookies get Secure"),
    "session_idle_minutes": ("HAILONG_SESSION_IDLE_MINUTES", "a dashboard session ends after this idle time (30)"),
    "session_hours": ("HAILONG_SESSION_HOURS", "a dashboard session ends this long after sign-in, whatever (10)"),
}


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Environment first, then explicit overrides (CLI flags); validated, failing loudly."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for field, (var, _) in ENV.items():
        if var in env and env[var] != "":
            raw[field] = env[var]
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = value
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"bad setting: {exc}") from None
    parse_db_url(settings.db_url)
    if not 1 <= settings.port <= 65535:
        raise SettingsError(f"bad setting: port {settings.port} is not between 1 and 65535")
    bursts, rates = (settings.device_burst, settings.key_burst), (settings.device_per_minute, settings.key_per_minute)
    if min(bursts) < 1 or min(rates) <= 0:
        raise SettingsError("bad setting: rate limits (HAILONG_*_BURST, HAILONG_*_PER_MINUTE) must be positive")
    if settings.survey_ttl_days < 1:
        raise SettingsError("bad setting: survey_ttl_days must be positive")
    if not 0 <= settings.auth_cache_seconds <= 300:  # also refuses NaN
        raise SettingsError(
            f"bad setting: HAILONG_AUTH_CACHE_SECONDS is {settings.auth_cache_seconds}; give 0 to 300 seconds"
        )
    if not 0 <= settings.rollup_seconds <= 3600:
        raise SettingsError(f"bad setting: HAILONG_ROLLUP_SECONDS is {settings.rollup_seconds}; give 0 to 3600 seconds")
    if not 0 <= settings.min_tap_interval_ms <= 60_000:
        raise SettingsError(
            f"bad setting: HAILONG_MIN_TAP_INTERVAL_MS is {settings.min_tap_interval_ms}; give 0 to 60000"
        )
    if not 1 <= settings.alert_window_minutes <= 24 * 60 or settings.alert_min_ratings < 1:
        raise SettingsError("bad setting: HAILONG_ALERT_WINDOW_MINUTES is 1 to 1440, HAILONG_ALERT_MIN_RATINGS ≥ 1")
    if not 0 < settings.alert_share <= 1:
        raise SettingsError(f"bad setting: HAILONG_ALERT_SHARE is {settings.alert_share}; give more than 0, at most 1")
    if not 1 <= settings.case_working_days <= 365:
        raise SettingsError(f"bad setting: HAILONG_CASE_WORKING_DAYS is {settings.case_working_days}; give 1 to 365")
    if not 0 <= settings.followup_poll_seconds <= 3600:
        raise SettingsError("bad setting: HAILONG_FOLLOWUP_POLL_SECONDS is 0 (off) to 3600")
    if not 1 <= settings.session_idle_minutes <= 24 * 60 or not 1 <= settings.session_hours <= 24 * 31:
        raise SettingsError(
            "bad setting: HAILONG_SESSION_IDLE_MINUTES must be 1 to 1440 and HAILONG_SESSION_HOURS 1 to 744"
        )
    try:
        parse_proxies(settings.trusted_proxies)
    except ValueError as exc:
        raise SettingsError(f"bad setting: HAILONG_TRUSTED_PROXIES: {exc}") from None
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(settings.timezone)
    except Exception:
        raise SettingsError(f"bad setting: unknown time zone {settings.timezone!r}") from None
    return settings
