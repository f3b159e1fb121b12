"""Survey links and responses: sign a link per dossier, open it, store one response per dossier.

The signing keys live in the database (``survey_keys``) and in memory: :func:`load_keys` reads them
once at start (making the first key if there is none), so :func:`survey_url` costs no query. A token
signed by a key this worker has not seen (another worker rotated) triggers one reload.

A link is open from registration until ``survey_ttl_days`` after the result is returned
(``dossiers.returned_at``); while the dossier is still in progress it stays open, because the
citizen holds the receipt and may answer the parts already lived (the results items offer
"not applicable").
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from api.db import Row, Store, Tx, now_ms
from api.errors import DomainError, NotFound
from api.instruments.loader import Instruments, Questionnaire, load_all
from api.settings import Settings
from api.surveys import queries, tokens
from api.surveys.schemas import FormResult, read_form

DEFAULT_INSTRUMENT = "sipas-service-2023"
DAY_MS = 86_400_000


class LinkUnknown(NotFound):
    code = "unknown-survey-link"


class LinkExpired(DomainError):
    status, code, title = 410, "survey-link-expired", "Survey link expired"


@dataclass
class Keyring:
    keys: dict[int, bytes]
    signing_kid: int

    def sign(self, dossier_id: int, link: int) -> str:
        claim = tokens.Claim(self.signing_kid, link, dossier_id)
        return tokens.sign(self.keys[self.signing_kid], claim)


async def load_keys(store: Store, *, create: bool = True) -> Keyring:
    """Every key (making the first one on first start); the newest active key signs."""

    async def ensure(tx: Tx) -> None:
        await queries.add_key(tx, secrets.token_hex(32), now_ms(), only_if_none_active=True)

    if create:
        await store.write(ensure)
    rows = await store.read(queries.keys)
    active = [int(r["kid"]) for r in rows if r["retired_at"] is None]
    return Keyring({int(r["kid"]): bytes.fromhex(r["secret"]) for r in rows}, max(active))


async def rotate_key(store: Store) -> int:
    """Retire the signing key and make a newer one; links already printed keep working."""

    async def rotate(tx: Tx) -> None:
        await queries.add_key(tx, secrets.token_hex(32), now_ms(), only_if_none_active=False)

    await store.write(rotate)
    return (await load_keys(store)).signing_kid


def survey_url(settings: Settings, keys: Keyring, dossier_id: int, link: int = 1) -> str:
    """The link printed on the receipt: ``{base_url}/s/{token}``. Pure: no database round-trip."""
    return f"{settings.base_url}/s/{keys.sign(dossier_id, link)}"


@dataclass
class Surveys:
    """What the survey pages need, built once per app at start (``app.state.surveys``)."""

    settings: Settings
    instruments: Instruments
    keys: Keyring
    default: Questionnaire = field(init=False)
    _reloaded_at: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.default = self.instruments.questionnaire(DEFAULT_INSTRUMENT)

    def url(self, dossier_id: int) -> str:
        return survey_url(self.settings, self.keys, dossier_id, self.default.link)

    async def claim(self, store: Store, token: str) -> tokens.Claim:
        try:
            return tokens.verify(self.keys.keys, token)
        except tokens.UnknownKey:
            # A newer key made by another worker: reload, at most once a second, never for older ids.
            claimed = tokens.parse(token)[0].kid
            if claimed < max(self.keys.keys) or time.monotonic() - self._reloaded_at < 1.0:
                raise LinkUnknown("This survey link is not valid.") from None
            self._reloaded_at = time.monotonic()
            self.keys = await load_keys(store, create=False)
        except tokens.BadToken:
            raise LinkUnknown("This survey link is not valid.") from None
        try:
            return tokens.verify(self.keys.keys, token)
        except tokens.BadToken:
            raise LinkUnknown("This survey link is not valid.") from None


async def startup(app: Any, store: Store, settings: Settings) -> None:
    """App start-up hook: instruments checked, keys in memory (``app.state.surveys``)."""
    app.state.surveys = Surveys(settings, load_all(), await load_keys(store))


@dataclass(frozen=True)
class Visit:
    questionnaire: Questionnaire
    dossier: Row
    state: Literal["open", "answered"]


def _check_open(row: Row, settings: Settings, now: int) -> None:
    returned = row["returned_at"]
    if returned is not None and now > int(returned) + settings.survey_ttl_days * DAY_MS:
        raise LinkExpired(f"This survey closed {settings.survey_ttl_days} days after the result was returned.")


async def _visit(tx: Tx, claim: tokens.Claim, q: Questionnaire, settings: Settings) -> Visit:
    row = await queries.dossier(tx, claim.dossier_id)
    if row is None:
        raise LinkUnknown("This survey link is not valid.")
    _check_open(row, settings, now_ms())
    state: Literal["open", "answered"] = "answered" if await queries.answered(tx, int(row["id"]), q.code) else "open"
    return Visit(q, row, state)


async def visit(store: Store, surveys: Surveys, token: str) -> Visit:
    """Open a link: LinkUnknown (tampered, unknown), LinkExpired, or the dossier and its state."""
    claim = await surveys.claim(store, token)
    q = surveys.instruments.by_link.get(claim.link)
    if q is None:
        raise LinkUnknown("This survey link is not valid.")
    return await store.read(lambda tx: _visit(tx, claim, q, surveys.settings))


async def submit(
    store: Store, surveys: Surveys, token: str, form: Mapping[str, Sequence[str]], lang: str
) -> tuple[Visit, FormResult | None]:
    """Store one response. (visit, None) once stored; (visit, result with errors) to show the form again;
    a visit in state "answered" when this dossier had already answered (nothing stored)."""
    opened = await visit(store, surveys, token)
    if opened.state == "answered":
        return opened, None
    result = read_form(opened.questionnaire, form)
    if result.errors:
        return opened, result
    q, dossier_id = opened.questionnaire, int(opened.dossier["id"])

    async def store_response(tx: Tx) -> bool:
        _check_open(opened.dossier, surveys.settings, now_ms())
        response_id = await queries.insert_response(tx, dossier_id, q.code, q.version, lang, now_ms())
        if response_id is None:
            return False
        await queries.insert_answers(tx, response_id, [(a.item, a.value, a.text) for a in result.answers])
        return True

    stored = await store.write(store_response)
    return (opened if stored else Visit(q, opened.dossier, "answered")), None


async def dossier_url(store: Store, surveys: Surveys, code: str) -> str:
    found = await store.read(lambda tx: queries.dossier_id(tx, code))
    if found is None:
        raise NotFound(f"There is no dossier with code {code!r}.", code="unknown-dossier")
    return surveys.url(found)
