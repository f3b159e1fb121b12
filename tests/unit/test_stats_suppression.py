"""Primary and secondary suppression: nothing hidden can be worked out from the totals shown."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.stats.suppression import suppress, suppress_groups, suppression


def test_primary_only_when_two_or_more_are_small() -> None:
    rows = [("a", 12, 10), ("b", 25, 20), ("c", 40, 30), ("d", 80, 70)]
    # a and b are below 30; the total minus c and d gives only a + b together.
    assert suppress(rows) == {"a", "b"}
    assert suppression(rows).secondary == frozenset()


def test_secondary_hides_the_next_smallest() -> None:
    rows = [("a", 12, 10), ("c", 40, 30), ("b", 35, 20), ("d", 80, 70)]
    # Only a is small: the total minus b, c, d would give a exactly, so b (n = 35, the next smallest) goes too.
    s = suppression(rows)
    assert s.primary == {"a"} and s.secondary == {"b"} and not s.hide_total
    # Without a total shown there is nothing to derive from.
    assert suppress(rows, total_shown=False) == {"a"}


def test_ties_and_empty_members() -> None:
    # b and c tie on n = 40: the choice does not depend on row order (key order breaks the tie).
    rows = [("a", 5, 5), ("c", 40, 1), ("b", 40, 2), ("z", 0, 0)]
    assert suppress(rows) == {"a", "b", "z"}
    assert suppress(list(reversed(rows))) == {"a", "b", "z"}
    # An empty member hides nothing, so it cannot be the second one.
    assert suppress([("a", 5, 5), ("z", 0, 0), ("b", 50, 40)]) == {"a", "b", "z"}


def test_group_of_one_says_the_total_gives_it_away() -> None:
    s = suppression([("a", 7, 7)])
    assert s.suppressed == {"a"} and s.hide_total
    assert not suppression([("a", 70, 7)]).hide_total


def test_bad_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="0 <= x <= n"):
        suppress([("a", 5, 6)])
    with pytest.raises(ValueError, match="twice"):
        suppress([("a", 5, 1), ("a", 6, 1)])


def test_groups() -> None:
    out = suppress_groups({"u1": [("a", 5, 1), ("b", 50, 40)], "u2": [("c", 50, 1)]}, min_n=30)
    assert out["u1"].suppressed == {"a", "b"} and out["u2"].suppressed == frozenset()


members = st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=12)


@given(members, st.integers(1, 60), st.randoms(use_true_random=False))
def test_nothing_hidden_is_derivable(sizes: list[tuple[int, int]], min_n: int, rnd: random.Random) -> None:
    rows = [(f"o{i}", n, min(x, n)) for i, (n, x) in enumerate(sizes)]
    s = suppression(rows, min_n=min_n)
    hidden = s.suppressed
    # Every member below min n is hidden.
    assert {k for k, n, _ in rows if n < min_n} <= hidden
    # Total minus the shown members leaves the hidden ones' sum: it must cover 0 or ≥ 2 members with ratings,
    # unless the total itself has to go.
    with_ratings = [k for k, n, _ in rows if k in hidden and n > 0]
    assert len(with_ratings) != 1 or s.hide_total
    # At most one member is hidden for the second reason, and only when exactly one was hidden for the first.
    assert len(s.secondary) <= 1
    # Row order does not matter.
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert suppression(shuffled, min_n=min_n) == s
