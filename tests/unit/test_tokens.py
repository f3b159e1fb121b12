"""Survey tokens: round trip, one spelling per token, every altered token refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.surveys import tokens
from api.surveys.qr import encode

SECRET = bytes(range(32))
KEYS = {1: SECRET}
claims = st.builds(
    tokens.Claim,
    kid=st.integers(1, 10_000),
    link=st.integers(1, 255),
    dossier_id=st.integers(1, 2**40),
)


@given(claims)
def test_round_trip(claim: tokens.Claim) -> None:
    token = tokens.sign(SECRET, claim)
    assert tokens.verify({claim.kid: SECRET}, token) == claim
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


@given(claims, st.data())
def test_any_changed_character_is_refused(claim: tokens.Claim, data: st.DataObject) -> None:
    token = tokens.sign(SECRET, claim)
    at = data.draw(st.integers(0, len(token) - 1))
    other = data.draw(st.sampled_from([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if c != token[at]]))
    with pytest.raises(tokens.BadToken):
        tokens.verify({claim.kid: SECRET}, token[:at] + other + token[at + 1 :])


@given(st.text(max_size=60))
def test_garbage_is_refused_not_crashing(text: str) -> None:
    with pytest.raises(tokens.BadToken):
        tokens.verify(KEYS, text)


def test_other_key_and_unknown_key() -> None:
    token = tokens.sign(SECRET, tokens.Claim(1, 1, 42))
    with pytest.raises(tokens.BadToken):
        tokens.verify({1: b"another secret of thirty-two b.."}, token)
    with pytest.raises(tokens.UnknownKey):
        tokens.verify({2: SECRET}, token)


def test_bound_to_dossier_and_instrument() -> None:
    a = tokens.sign(SECRET, tokens.Claim(1, 1, 42))
    assert a != tokens.sign(SECRET, tokens.Claim(1, 1, 43))
    assert a != tokens.sign(SECRET, tokens.Claim(1, 2, 42))
    assert tokens.verify(KEYS, a.lower()) == tokens.Claim(1, 1, 42)  # typed by hand: case does not matter


def test_short_enough_for_a_small_qr() -> None:
    """A national-scale dossier id in a long public URL still fits QR version 6 at level M."""
    token = tokens.sign(SECRET, tokens.Claim(3, 1, 400_000_000))
    assert len(token) <= 28
    assert encode(f"https://dichvucong.hoabinh.gov.vn/hailong/s/{token}").version <= 5
    assert encode(f"https://hailong.sonoivu.tinhhoabinh.gov.vn/khao-sat/s/{token}").version <= 6
