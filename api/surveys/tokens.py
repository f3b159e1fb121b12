"""Survey tokens: short, signed, bound to one dossier and one questionnaire.

Layout (bytes): ``varint(kid) | link | varint(dossier_id) | HMAC-SHA256(key, domain | those bytes)[:10]``,
written in RFC 4648 base32 without padding, upper case (the QR alphanumeric alphabet, so the token costs
5.5 bits a character in the code, and it survives being read aloud or typed). A typical token is
24-26 characters. The tag has 80 bits: a forged token is found by guessing, at 2^-80 per try.

The token carries no expiry: the link closes ``survey_ttl_days`` after the dossier's result is returned,
checked against the database at visit time, so a late return date never needs a reprint. It carries no
secret either: the dossier id is an internal number, not personal data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

TAG_BYTES = 10
MAX_TOKEN_CHARS = 40
_DOMAIN = b"hailong/survey/v1\x00"
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


class BadToken(ValueError):
    """Not a token we issued: malformed, altered or signed with a key this service does not hold."""


class UnknownKey(BadToken):
    """Well formed but signed with a key id not (yet) loaded: worth one reload of the keys."""


@dataclass(frozen=True)
class Claim:
    kid: int
    link: int
    dossier_id: int


def _varint(n: int) -> bytes:
    if n < 0:
        raise ValueError("varint of a negative number")
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while pos < len(data) and shift <= 63:
        byte = data[pos]
        pos += 1
        n |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return n, pos
        shift += 7
    raise BadToken("truncated number")


def _payload(claim: Claim) -> bytes:
    return _varint(claim.kid) + bytes([claim.link]) + _varint(claim.dossier_id)


def _tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _DOMAIN + payload, hashlib.sha256).digest()[:TAG_BYTES]


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def sign(secret: bytes, claim: Claim) -> str:
    if not 0 < claim.link < 256:
        raise ValueError("link must be 1..255")
    payload = _payload(claim)
    return _b32(payload + _tag(secret, payload))


def parse(token: str) -> tuple[Claim, bytes, bytes]:
    """The claim a token states (unverified), its canonical payload and its tag."""
    text = token.strip().upper()
    if not 16 <= len(text) <= MAX_TOKEN_CHARS or not set(text) <= _ALPHABET:
        raise BadToken("not a token")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise BadToken("not base32") from None
    if _b32(raw) != text:  # unused trailing bits must be zero: one token, one spelling
        raise BadToken("not canonical")
    kid, pos = _read_varint(raw, 0)
    if pos >= len(raw):
        raise BadToken("truncated")
    link = raw[pos]
    dossier_id, pos = _read_varint(raw, pos + 1)
    if len(raw) - pos != TAG_BYTES:
        raise BadToken("wrong length")
    claim = Claim(kid, link, dossier_id)
    return claim, _payload(claim), raw[pos:]


def verify(keys: dict[int, bytes], token: str) -> Claim:
    """The claim of a genuine token; BadToken (or UnknownKey) otherwise."""
    claim, payload, tag = parse(token)
    secret = keys.get(claim.kid)
    if secret is None:
        raise UnknownKey(f"unknown key id {claim.kid}")
    if not hmac.compare_digest(_tag(secret, payload), tag):
        raise BadToken("bad signature")
    return claim
