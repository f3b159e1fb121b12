"""The dissatisfaction model: learned from ratings, deterministic, explained, sees through positive taps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.comments.contrast import Contrast
from analysis.comments.model import C_GRID, Model, _best_threshold
from analysis.comments.ngrams import SyllableGrams
from analysis.comments.normalise import folded_corpus
from analysis.comments.stored import load, save
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


def test_the_svm_c_is_chosen_from_the_grid_by_the_out_of_fold_f1() -> None:
    texts, ratings = history()
    fit = Model(seed=0).train(texts, ratings)
    assert fit.c in C_GRID
    assert 0.0 < fit.oof_f1 <= 1.0
    assert Model(seed=0, cs=(0.3,)).train(texts, ratings).c == 0.3


def test_words_after_a_negator_are_counted_apart() -> None:
    grams = SyllableGrams(negators=["khong", "thieu"], window=2)
    counts, negated = grams.fit_transform(["can bo thieu nhiet tinh", "nhiet tinh khong", "khong cho lau qua"])
    column = {term: i for i, term in enumerate(grams.terms)}
    assert counts.shape[0] == negated.shape[0] == 3
    assert negated.shape[1] == len([t for t in grams.terms if " " not in t])
    scoped = {d: sorted(grams.terms[c] for c in negated[d].indices) for d in range(3)}
    assert scoped == {0: ["nhiet", "tinh"], 1: [], 2: ["cho", "lau"]}  # the scope ends with the comment
    assert counts[0, column["nhiet"]] == 1  # still counted as a word too


def test_a_contrast_word_is_read_as_written() -> None:
    history_texts = [f"có những câu hỏi khó lần {i}" for i in range(3)] + ["tốt nhưng câu hỏi khó"]
    contrast = Contrast()
    contrast.fit_tails(folded_corpus(history_texts), history_texts)
    texts = [
        "cán bộ tốt nhưng phải chờ lâu",  # but
        "giải thích những thủ tục cần",  # plural: not a contrast
        "can bo tot nhung phai cho lau",  # typed without diacritics: a contrast
        "co nhung cau hoi kho",  # "những câu" in every accented use in the history
        "good staff but slow",
        "dạy song song hai môn",  # "song" is not in the contrast words (sống, sông, song song)
    ]
    assert contrast.tails(folded_corpus(texts), texts) == [" phai cho lau", "", " phai cho lau", "", " slow", ""]


def test_a_kept_model_scores_as_the_trained_one(tmp_path: Path) -> None:
    texts, ratings = history()
    model = Model(seed=3)
    fit = model.train(texts, ratings)
    card = save(model, tmp_path)
    assert (tmp_path / "model.pkl").is_file() and json.loads((tmp_path / "model.json").read_text()) == card
    assert card["seed"] == 3 and card["threshold"] == fit.threshold and card["history"] == len(texts)
    assert card["model_version"] and card["lexicon_version"] and card["libraries"]["scikit-learn"]
    probe = [*texts[:50], "hai long nhung phai cho 3 tieng", "good staff"]
    again = load(tmp_path)
    assert np.array_equal(again.score(probe)[0], model.score(probe)[0])
    assert again.fit_info == fit and not hasattr(again, "history_x")
    (tmp_path / "model.pkl").write_bytes((tmp_path / "model.pkl").read_bytes() + b"x")
    with pytest.raises(ValueError, match="SHA-256"):
        load(tmp_path)
