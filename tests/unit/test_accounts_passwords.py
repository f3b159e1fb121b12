"""Passwords: argon2id, unknown names as costly as known ones, the throttle's delays, generated passwords."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import argon2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.accounts import service
from api.accounts.service import Passwords, account_delay_ms, check_username, generate_password
from api.errors import Invalid


class Spy(argon2.PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=2048, parallelism=1)
        self.checked: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.checked.append(str(hash))
        return super().verify(hash, password)


def test_an_unknown_name_is_checked_against_a_hash_of_the_same_cost() -> None:
    spy = Spy()
    passwords = Passwords(spy)
    stored = asyncio.run(passwords.hash("the real password"))
    assert asyncio.run(passwords.verify(stored, "the real password")) == (True, False)
    assert asyncio.run(passwords.verify(None, "the real password")) == (False, False)
    assert asyncio.run(passwords.verify("not a hash", "x")) == (False, False)
    assert len(spy.checked) == 3 and spy.checked[1] != stored
    assert argon2.extract_parameters(spy.checked[1]) == argon2.extract_parameters(stored)
    assert argon2.extract_parameters(stored).type is argon2.Type.ID
    # a hash made with older, cheaper parameters is accepted, and marked for rehashing
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash("the real password")
    assert asyncio.run(passwords.verify(weaker, "the real password")) == (True, True)


def test_the_account_delay_doubles_from_the_free_refusals_up_to_the_cap() -> None:
    delays = [account_delay_ms(n) for n in range(20)]
    free = service.FREE_FAILURES
    assert delays[:free] == [0] * free
    assert delays[free : free + 3] == [service.BASE_DELAY_MS, 2 * service.BASE_DELAY_MS, 4 * service.BASE_DELAY_MS]
    assert max(delays) == service.MAX_DELAY_MS == delays[-1]
    assert account_delay_ms(10**6) == service.MAX_DELAY_MS


def test_generated_passwords_are_long_and_different() -> None:
    made = {generate_password() for _ in range(200)}
    assert len(made) == 200
    assert all(len(p) == 23 and service.check_password(p) == p for p in made)


@given(st.text(max_size=80))
def test_usernames_are_lower_case_letters_digits_and_dot_dash_underscore(name: str) -> None:
    try:
        checked = check_username(name)
    except Invalid:
        return
    assert checked == name.strip().lower() and 2 <= len(checked) <= 64
    assert set(checked) <= set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@pytest.mark.parametrize("password", ["short", " leading space 1234", "x" * 201, "nul\x00inside-password"])
def test_bad_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid):
        service.check_password(password)


@given(
    st.text(max_size=60)
    | st.sampled_from(["//evil.example", "/\\evil", "/\t/evil", "/\n/evil", "https://x.y/", "/dashboard?unit=HB"])
)
def test_after_sign_in_the_browser_only_goes_to_a_path_on_this_site(target: str) -> None:
    from api.accounts.handlers import safe_next

    went = safe_next(target)
    assert went.startswith("/") and not went.startswith("//") and "\\" not in went
    assert not any(c <= " " or c == "\x7f" for c in went)  # spaces come out as %20
    assert went in (quote(target, safe="/?&=%#:@!$'()*+,;~-._"), "/dashboard") and went.isascii()
