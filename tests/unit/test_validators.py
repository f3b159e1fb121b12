"""Hypothesis on the validators: what the API accepts is exactly what its types promise."""

from __future__ import annotations

import re
import uuid

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.ratings.schemas import COMMENT_MAX, RatingIn
from api.ratings.service import decode_cursor, encode_cursor
from api.types import Code

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


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


@given(st.text(min_size=0, max_size=80))
def test_codes_follow_their_pattern(text: str) -> None:
    try:
        msgspec.convert(text, Code)
    except msgspec.ValidationError:
        assert not (1 <= len(text) <= 64 and CODE_RE.match(text))
    else:
        assert 1 <= len(text) <= 64 and CODE_RE.match(text)


@given(st.integers(min_value=0, max_value=2**62))
def test_cursor_round_trip(last_id: int) -> None:
    assert decode_cursor(encode_cursor(last_id)) == last_id


@given(st.text(max_size=30))
def test_foreign_cursors_are_refused_cleanly(text: str) -> None:
    from api.errors import Invalid

    try:
        value = decode_cursor(text)
    except Invalid:
        return
    assert encode_cursor(value).rstrip("=") == text.rstrip("=") or value >= 0
