"""Hypothesis on the validators: what the API accepts is exactly what its types promise."""

from __future__ import annotations

import uuid

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.ratings.schemas import COMMENT_MAX, RatingIn
from api.ratings.service import decode_cursor, encode_cursor
from api.types import Code


@given(st.integers(min_value=-100, max_value=100))
def test_level_is_accepted_only_from_1_to_5(level: int) -> None:
    body = msgspec.json.encode({"idempotency_key": str(uuid.uuid4()), "level": level})
    if 1 <= level <= 5:
        assert msgspec.json.decode(body, type=RatingIn).level == level
    else:
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(body, type=RatingIn)


@given(st.text(max_size=COMMENT_MAX + 20))
def test_comment_length_cap(comment: str) -> None:
    body = msgspec.json.encode({"idempotency_key": str(uuid.uuid4()), "level": 2, "comment": comment})
    if len(comment) <= COMMENT_MAX:
        assert msgspec.json.decode(body, type=RatingIn).comment == comment
    else:
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(body, type=RatingIn)


def allowed(text: str) -> bool:
    """What a code may be, said without a regular expression: 1–64 ASCII letters, digits and . _ / -,
    starting with a letter or digit."""
    return (
        1 <= len(text) <= 64
        and text[0].isascii()
        and text[0].isalnum()
        and all(c.isascii() and (c.isalnum() or c in "._/-") for c in text)
    )


@given(st.one_of(st.text(min_size=0, max_size=80), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,70}\n?")))
def test_codes_are_exactly_what_the_type_promises(text: str) -> None:
    try:
        msgspec.convert(text, Code)
    except msgspec.ValidationError:
        assert not allowed(text)
    else:
        assert allowed(text)


@pytest.mark.parametrize("text", ["NL\n", "NL\r\n", " NL", "NL ", "-NL", "", "a" * 65, "Đ1"])
def test_codes_refuse_whitespace_and_foreign_characters(text: str) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(text, Code)


@given(st.integers(min_value=0, max_value=2**62))
def test_cursor_round_trip(last_id: int) -> None:
    assert decode_cursor(encode_cursor(last_id)) == last_id


@given(st.one_of(st.text(max_size=30), st.builds(lambda n: encode_cursor(n) + "x", st.integers(0, 10**6))))
def test_foreign_cursors_are_refused_cleanly(text: str) -> None:
    from api.errors import Invalid

    try:
        value = decode_cursor(text)
    except Invalid:
        return
    assert encode_cursor(value) == text  # only a cursor this API gave out is accepted


@pytest.mark.parametrize("n", [2**63, 10**30, -1])
def test_cursors_beyond_the_id_range_are_refused(n: int) -> None:
    import base64

    from api.errors import Invalid

    text = base64.urlsafe_b64encode(f"r{n}".encode()).decode().rstrip("=")
    with pytest.raises(Invalid):
        decode_cursor(text)
