"""kill -9 under load, on both stores: every rating the server acknowledged is stored, none twice.
(A smaller run of ``just bench durability``.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.durability import run


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_acknowledged_ratings_survive_repeated_kill_9(db_url: str, tmp_path: Path) -> None:
    tally = await run(db_url, tmp_path, kills=2, clients=12, seconds=1.5)
    assert tally.kills == 2
    assert len(tally.acknowledged) > 50, "the load did not get going"
    assert not tally.unanswered
    assert tally.lost == 0, f"{tally.lost} acknowledged ratings lost"
    assert tally.stored == tally.distinct, "a rating was stored twice"
    assert tally.stored >= len(tally.acknowledged)
