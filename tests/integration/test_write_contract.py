"""The write contract (api/db/commit.py), on both stores: a write function may await only its tx, and the
one that breaks it fails alone, at once, with a clear error, while the batch it shared commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from api.db import Store, Tx, open_store
from api.db.commit import WriteContractError
from api.db.migrate import migrate


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = open_store(db_url)
    await s.open()
    try:
        await migrate(s)
        yield s
    finally:
        await s.close()


async def insert_unit(tx: Tx, code: str) -> int:
    return await tx.execute(
        "INSERT INTO units (code, name, kind, created_at, updated_at) VALUES (:c, :c, 'commune', 0, 0)", {"c": code}
    )


async def codes(store: Store) -> list[str]:
    return [r["code"] for r in await store.fetch_all("SELECT code FROM units ORDER BY code")]


async def test_sleeping_inside_a_write_fails_that_write_alone(store: Store) -> None:
    async def sleeps(tx: Tx) -> int:
        await insert_unit(tx, "SLEPT")
        await asyncio.sleep(0)  # breaks the contract: not a method of tx
        return await insert_unit(tx, "NEVER")

    outcomes = await asyncio.gather(
        store.write(lambda tx: insert_unit(tx, "A")),
        store.write(sleeps),
        store.write(lambda tx: insert_unit(tx, "B")),
        return_exceptions=True,
    )
    assert outcomes[0] == 1 and outcomes[2] == 1
    assert isinstance(outcomes[1], WriteContractError)
    assert "sleeps" in str(outcomes[1]) and "api/db/commit.py" in str(outcomes[1])
    assert await codes(store) == ["A", "B"]  # the breaking write's own insert was undone


async def test_reading_through_the_store_inside_a_write_is_refused(store: Store) -> None:
    async def reads_elsewhere(tx: Tx) -> int:
        await store.fetch_one("SELECT 1 AS x")  # another connection: breaks the contract
        return await insert_unit(tx, "X")

    with pytest.raises(WriteContractError):
        await store.write(reads_elsewhere)
    assert await codes(store) == []
    assert await store.write(lambda tx: insert_unit(tx, "AFTER")) == 1  # the store carries on


async def test_a_batch_runner_that_breaks_the_contract_fails_each_item_not_the_store(store: Store) -> None:
    async def runner(tx: Tx, items: list[str]) -> list[int | BaseException]:
        for code in items:
            await insert_unit(tx, code)
        await asyncio.sleep(0)
        return [1] * len(items)

    outcomes = await asyncio.gather(*(store.write_batched(runner, c) for c in ("P", "Q")), return_exceptions=True)
    assert all(isinstance(o, WriteContractError) for o in outcomes)
    assert await codes(store) == []


async def test_a_lone_failing_write_leaves_nothing_and_a_batch_keeps_the_rest(store: Store) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the store's own integrity error type
        await store.write(lambda tx: tx.execute("INSERT INTO units (code) VALUES ('NOPE')"))
    outcomes = await asyncio.gather(
        *(store.write(lambda tx, c=c: insert_unit(tx, c)) for c in ("A", "B", "A", "C")), return_exceptions=True
    )
    assert [isinstance(o, BaseException) for o in outcomes] == [False, False, True, False]
    assert await codes(store) == ["A", "B", "C"]
