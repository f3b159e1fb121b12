"""The dissatisfaction model: learned from ratings, deterministic, explained, sees through positive taps."""

from __future__ import annotations

import numpy as np

from analysis.comments.model import Model, _best_threshold
from tests.unit.comments_data import history


def test_best_threshold_hand_worked() -> None:
    # sorted by probability: 0.9 (1), 0.8 (0), 0.6 (1), 0.2 (0); flagging down to 0.6 gives tp 2, predicted 3,
    # positives 2: F1 = 2·2 / (3 + 2) = 0.8, better than 0.9 alone (2·1 / (1 + 2) = 0.667); the threshold
    # lies midway between 0.6 and the next score, 0.2.
    threshold, f1 = _best_threshold(np.array([0.2, 0.9, 0.6, 0.8]), np.array([0, 1, 1, 0]))
    assert abs(threshold - 0.4) < 1e-12
    assert abs(f1 - 0.8) < 1e-9


def test_same_seed_same_scores_and_threshold() -> None:
    texts, ratings = history()
    first, second = Model(seed=5), Model(seed=5)
    fit_a, fit_b = first.train(texts, ratings), second.train(texts, ratings)
    probe = ["chờ lâu quá", "cán bộ nhiệt tình", "good staff"]
    assert fit_a.threshold == fit_b.threshold
    assert np.array_equal(first.score(probe)[0], second.score(probe)[0])


def test_complaints_behind_a_positive_tap_are_caught() -> None:
    texts, ratings = history()
    model = Model(seed=0)
    fit = model.train(texts, ratings)
    probs, _, counts = model.score(
        [
            "hài lòng nhưng phải chờ 3 tiếng",
            "hai long nhung phai cho 3 tieng",
            "good staff but I waited for hours",
            "cán bộ nhiệt tình, hướng dẫn rõ ràng",
            "staff were helpful and friendly",
        ]
    )
    flagged = list(probs >= fit.threshold)
    assert flagged == [True, True, True, False, False]
    assert all(0.0 <= p <= 1.0 for p in probs)
    why = model.explain(counts)
    assert any(term in ("cho", "tieng", "phai", "phai cho", "cho 3", "3 tieng") for term in why[0])
    assert any("waited" in term or "hours" in term for term in why[2])


def test_complaints_rated_satisfied_in_the_history_are_learned_as_complaints() -> None:
    texts, ratings = history()
    texts += [f"rất hài lòng nhưng phải chờ rất lâu lần {i}" for i in range(40)]
    ratings += [5] * 40
    model = Model(seed=0)
    fit = model.train(texts, ratings)
    assert fit.relabelled >= 40
    assert model.score(["hài lòng nhưng phải chờ rất lâu"])[0][0] >= fit.threshold
