"""Numbers and percentages per locale: the cached patterns of web/i18n.py write exactly what Babel's own
format_decimal and format_percent write (the usual spellings are in test_messages.py)."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from web.i18n import text


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.integers(0, 2), st.sampled_from(["vi", "en"]))
def test_numbers_and_percentages_are_babels(value: float, digits: int, lang: str) -> None:
    t = text(lang)  # type: ignore[arg-type]
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    assert t.number(value, digits) == format_decimal(value, format=pattern, locale=lang)
    share = value / 1e9
    assert t.percent(share, digits) == format_percent(
        share, format=pattern + (" %" if lang == "vi" else "%"), locale=lang
    )


def test_instants_in_utc_are_shown_in_vietnams_time_and_local_ones_as_they_are() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from web.i18n import text

    utc = datetime(2026, 12, 1, 15, 35, tzinfo=UTC)
    assert text("vi").datetime(utc, "short").startswith("22:35")
    bangkok = datetime(2026, 12, 1, 15, 35, tzinfo=ZoneInfo("Asia/Bangkok"))  # a unit's own zone stays
    assert text("vi").datetime(bangkok, "short").startswith("15:35")
