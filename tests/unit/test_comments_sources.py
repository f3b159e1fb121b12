"""Comments from both instruments: counter ratings and receipt-QR questionnaire responses are learned from,
scored and redacted alike (analysis/report/themes.py)."""

from __future__ import annotations

from typing import Any

from analysis.report.themes import COMMENT_COLUMNS, analyse_comments, overall_rating
from tests.unit.comments_data import history


def test_a_responses_overall_satisfaction_is_its_mean_answer_rounded_half_up() -> None:
    assert overall_rating([5, 4, 4, 5]) == 5  # 4.5
    assert overall_rating([4, 4, 3]) == 4  # 3.67
    assert overall_rating([2, 3]) == 3  # 2.5: neutral, not dissatisfied
    assert overall_rating([1, 2, 3, 2]) == 2  # 2.0
    assert overall_rating([1, 1, 2]) == 1
    assert overall_rating([]) is None and overall_rating([0, 9]) is None  # nothing on the 1–5 scale


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Counter comments that are all praise (one class alone) and questionnaire comments with both."""
    texts, ratings = history(300)
    counter, survey = [], []
    for i, (text, rating) in enumerate(zip(texts, ratings, strict=True)):
        if rating >= 4:
            counter.append(
                {"id": i + 1, "unit_id": 1, "m": 0, "level": 3, "scale": 3, "comment": text, "reasons": [], "wrong": []}
            )
        else:
            values = [1, 2, 2, 1] if i % 2 else [2, 2, 3]
            survey.append({"id": i + 1, "unit_id": 2, "m": 1, "comment": text, "values": values})
    survey += [  # personal data and a response with no scale answer (scored, not learned from)
        {"id": 9001, "unit_id": 2, "m": 1, "comment": "chờ 3 tiếng, gọi tôi 0912 345 678", "values": [2, 1]},
        {"id": 9002, "unit_id": 2, "m": 1, "comment": "phải chờ rất lâu, chị Lan không hướng dẫn", "values": []},
    ]
    survey += [  # satisfied respondents too
        {"id": 9100 + i, "unit_id": 2, "m": 1, "comment": text, "values": [5, 4, 4]}
        for i, text in enumerate(t for t, r in zip(texts, ratings, strict=True) if r >= 4)
        if i < 40
    ]
    return counter, survey


def test_questionnaire_comments_are_learned_from_scored_and_redacted() -> None:
    counter, survey = _rows()
    units, months = {1: "U1", 2: "U2"}, ["2026-10", "2026-11"]
    alone = analyse_comments(counter, units, months, "U0", {"U1": "U1", "U2": "U2"}, [])
    assert "skipped" in alone.summary  # the counter comments alone have one class: nothing to learn
    out = analyse_comments(counter, units, months, "U0", {"U1": "U1", "U2": "U2"}, [], survey_rows=survey)
    assert "skipped" not in out.summary and out.model is not None
    assert out.summary["by_source"] == {"counter": len(counter), "questionnaire": len(survey)}
    assert out.summary["learned_from"] == len(counter) + len(survey) - 1  # 9002 has no scale answer
    assert out.model.fit_info.history == out.summary["learned_from"]
    assert all(tuple(row) == COMMENT_COLUMNS for row in out.comments)
    rows = {(r["source"], r["id"]): r for r in out.comments}
    assert {source for source, _ in rows} == {"counter", "questionnaire"}
    phone = rows[("questionnaire", 9001)]
    assert "0912" not in phone["redacted_text"] and "[SĐT]" in phone["redacted_text"]
    assert phone["dissatisfied"] == 1 and phone["level"] == 2 and phone["scale"] == 5
    unrated = rows[("questionnaire", 9002)]
    assert unrated["level"] is None and unrated["dissatisfied"] == 1 and "waiting" in unrated["themes"]
    assert "Lan" not in unrated["redacted_text"]
    assert rows[("counter", counter[0]["id"])]["dissatisfied"] == 0
    waiting = next(t for t in out.themes if t["theme"] == "waiting" and t["scope_code"] == "U2")
    assert int(str(waiting["n"])) >= 2  # questionnaire comments count in the themes


def test_the_kept_model_learns_from_redacted_history() -> None:
    """The model kept with a run (model.pkl) holds a vocabulary: it is the redacted history's."""
    import pickle

    from analysis.comments.pipeline import analyse_keeping_model
    from tests.unit.test_comments_redact import CASES

    texts, ratings = history(200)
    secrets = [text for text, _, _ in CASES]
    _, model = analyse_keeping_model(["chờ lâu"], texts + secrets, ratings + [1] * len(secrets))
    vocabulary = set(model.vectoriser.terms)
    for token in ("smith", "gmail", "0912", "0218", "3852", "29a", "28b1", "51f"):
        assert token not in vocabulary and f"<{token}" not in str(vocabulary)
    stored = pickle.dumps(model)
    assert b"smith" not in stored and b"gmail" not in stored and b"0912" not in stored
