"""Issue 10, item 5: nobody can stop pairing for everyone; limits are per client and per network; forwarded
headers are believed only from the proxies named in HAILONG_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest

from api.clients import client_address, parse_proxies
from api.devices import service
from api.devices.schemas import PairIn
from api.errors import DomainError
from tests.harness import Harness, seed_reference


async def _outcome(h: Harness, code: str, client: str) -> int:
    try:
        await service.pair(h.store, h.settings, PairIn(pairing_code=code), client)
    except DomainError as exc:
        return exc.status
    return 201


async def _code(h: Harness) -> str:
    return str((await h.post("/api/v1/devices/pairing-codes", {"counter": "LS-Q1"})).json()["code"])


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


async def test_a_flood_of_wrong_codes_from_many_addresses_locks_nobody_else_out(h: Harness) -> None:
    await seed_reference(h)
    code = await _code(h)
    for n in range(150):  # 150 networks, one wrong code each: more than the old global limit of 100
        assert await _outcome(h, _wrong(code), f"198.{n // 250}.{n % 250}.7") == 422
    assert await _outcome(h, code, "203.0.113.9") == 201


async def test_limits_hold_per_client_and_per_network(h: Harness) -> None:
    await seed_reference(h)
    code = await _code(h)
    for _ in range(service.MAX_FAILURES_PER_CLIENT):
        assert await _outcome(h, _wrong(code), "192.0.2.10") == 422
    assert await _outcome(h, code, "192.0.2.10") == 429  # this address is held back, even with the right code
    for n in range(service.MAX_FAILURES_PER_NETWORK - service.MAX_FAILURES_PER_CLIENT):
        assert await _outcome(h, _wrong(code), f"192.0.2.{20 + n}") == 422
    assert await _outcome(h, code, "192.0.2.99") == 429  # its /24 too
    v6 = "2001:db8:1:2::5"
    assert await _outcome(h, _wrong(code), v6) == 422
    assert await _outcome(h, code, "198.51.100.1") == 201  # another network pairs at once


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ("", "127.0.0.1", "203.0.113.5", "127.0.0.1"),  # no proxy named: the header is not believed
        ("10.0.0.1", "127.0.0.1", "203.0.113.5", "127.0.0.1"),  # a loopback peer is not a proxy unless named
        ("127.0.0.1", "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "127.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # the left entries are the client's say
        ("127.0.0.1, 10.0.0.0/8", "127.0.0.1", "203.0.113.5, 10.1.1.1", "203.0.113.5"),  # two proxies
        ("127.0.0.1", "127.0.0.1", "garbage", "127.0.0.1"),
        ("127.0.0.1", "198.51.100.7", "203.0.113.5", "198.51.100.7"),  # a stranger cannot pretend
        ("", "2001:db8::1", "", "2001:0db8:0000:0000:0000:0000:0000:0001"),
    ],
)
def test_forwarded_for_is_believed_only_from_named_proxies(
    trusted: str, peer: str, forwarded: str, client: str
) -> None:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    assert client_address(peer, headers, parse_proxies(trusted)) == client


def test_a_bad_proxy_setting_refuses_to_start() -> None:
    from api.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="HAILONG_TRUSTED_PROXIES"):
        load_settings(environ={"HAILONG_TRUSTED_PROXIES": "127.0.0.1, proxy.example"})
