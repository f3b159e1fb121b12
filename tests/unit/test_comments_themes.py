"""Themes: the lexicon reports the words that matched, accented or not; theme rows for themes.csv."""

from __future__ import annotations

from analysis.comments.pipeline import THEME_COLUMNS, CommentResult, theme_rows
from analysis.comments.themes import lexicon_themes


def test_matched_words_are_reported_as_written() -> None:
    assert lexicon_themes("Phải chờ 2 tiếng, phòng chờ nóng") == {
        "waiting": ["Phải chờ", "2 tiếng"],
        "facilities": ["phòng chờ", "nóng"],
    }
    assert lexicon_themes("phai cho lau, can bo cau gat") == {"waiting": ["phai cho"], "attitude": ["cau gat"]}
    assert lexicon_themes("The officer was rude and I waited") == {"attitude": ["rude"], "waiting": ["waited"]}


def test_ambiguous_entries_need_their_diacritics() -> None:
    assert "facilities" not in lexicon_themes("ban be toi")  # "bàn" needs its accent: "ban" is also "bạn"
    assert lexicon_themes("cái bàn bị hỏng")["facilities"] == ["bàn"]
    assert "waiting" not in lexicon_themes("lau nha")  # "lâu" is strict: "lau" is also "lau" (wipe)


def result(text: str, themes: dict[str, list[str]], unhappy: bool = True) -> CommentResult:
    return CommentResult(0.9 if unhappy else 0.1, unhappy, list(themes), themes, False, text)


def test_theme_rows_count_dissatisfied_comments() -> None:
    results = [
        result("chờ lâu", {"waiting": ["chờ lâu"]}),
        result("chờ lâu quá", {"waiting": ["chờ lâu"]}),
        result("nóng", {"facilities": ["nóng"]}),
        result("không phải chờ lâu", {"waiting": ["chờ lâu"]}, unhappy=False),
    ]
    rows = {row["theme"]: row for row in theme_rows(results, "unit", "U1", "2026-11")}
    assert all(tuple(row) == THEME_COLUMNS for row in rows.values())
    assert rows["waiting"]["n"] == 2 and rows["waiting"]["share"] == round(2 / 3, 4)
    assert rows["waiting"]["top_terms"] == "chờ lâu"
    assert rows["facilities"]["n"] == 1 and rows["fees"]["n"] == 0
    assert rows["waiting"]["kind"] == "fixed" and rows["waiting"]["scope_code"] == "U1"


def test_emergent_themes_are_numbered_not_named() -> None:
    texts = [f"máy lấy số hỏng lần {i}" for i in range(40)] + [f"cổng trực tuyến lỗi đăng nhập {i}" for i in range(40)]
    rows = theme_rows([result(t, {}) for t in texts], seed=1)
    emergent = [row for row in rows if row["kind"] == "emergent"]
    assert emergent and all(str(row["theme"]).startswith("emergent-") for row in emergent)
    assert all(row["top_terms"] and row["examples"] for row in emergent)


def test_chips_tapped_with_comments_teach_themes_the_lexicon_lacks() -> None:
    from analysis.comments.pipeline import analyse
    from tests.unit.comments_data import history

    texts, ratings = history()
    reasons: list[list[str]] = [[] for _ in texts]
    for i in range(30):  # "ổ cắm" (socket) is in no lexicon entry; citizens tapped the facilities chip
        texts += [f"ổ cắm sạc điện thoại hỏng lần {i}", f"cán bộ làm sai hồ sơ lần {i}"]
        ratings += [1, 1]
        reasons += [["facilities"], ["documents"]]
    results = analyse(["ổ cắm sạc hỏng, bực mình"], texts, ratings, reasons, seed=0)
    assert results[0].dissatisfied
    assert results[0].theme_terms["facilities"] == ["chips"]
    assert "documents" not in results[0].themes


def test_themes_marked_wrong_are_withheld_and_taught_as_counter_examples() -> None:
    from analysis.comments.pipeline import analyse
    from tests.unit.comments_data import history

    texts, ratings = history()
    reasons: list[list[str]] = [[] for _ in texts]
    for i in range(30):
        texts += [f"ổ cắm sạc điện thoại hỏng lần {i}", f"cán bộ làm sai hồ sơ lần {i}"]
        ratings += [1, 1]
        reasons += [["facilities"], ["documents"]]
    probe = ["ổ cắm sạc hỏng, bực mình", "phải chờ 2 tiếng mới tới lượt"]
    plain = analyse(probe * 2, texts, ratings, reasons, seed=0)
    assert "facilities" in plain[0].themes and "waiting" in plain[1].themes
    # one copy of the waiting comment is marked wrong: only that copy loses the theme
    marked = analyse(probe * 2, texts, ratings, reasons, seed=0, withheld=[(), ("waiting",), (), ()])
    assert "waiting" not in marked[1].themes and "waiting" not in marked[1].theme_terms
    assert "waiting" in marked[3].themes and marked[0].themes == plain[0].themes
    # the socket comments marked "not facilities" outweigh their chips: the chip model no longer finds it
    wrong = [("facilities",) if "ổ cắm" in t else () for t in texts]
    taught = analyse(probe, texts, ratings, reasons, seed=0, history_wrong=wrong)
    assert "facilities" not in taught[0].themes
