"""``hailong analyze comments``: the output file, and one-line messages for bad input."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from api.cli import main
from tests.unit.comments_data import history
from tests.unit.test_comments_redact import CASES


def write_history(path: Path, rows: list[tuple[str, object]], bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["text", "rating", "reasons"])
        out.writerows([(text, rating, "waiting" if "chờ" in text else "") for text, rating in rows])


def write_input(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "text"])
        out.writerows(enumerate(texts))


def run(tmp_path: Path, texts: list[str], rows: list[tuple[str, object]] | None = None) -> tuple[int, Path]:
    write_history(tmp_path / "h.csv", rows if rows is not None else list(zip(*history(), strict=True)), bom=True)
    write_input(tmp_path / "in.csv", texts)
    out = tmp_path / "out.csv"
    code = main(
        ["analyze", "comments", str(tmp_path / "in.csv"), "--history", str(tmp_path / "h.csv"), "--out", str(out)]
    )
    return code, out


def test_output_columns_and_no_personal_data_left(tmp_path: Path) -> None:
    texts = [text for text, _, _ in CASES] + ["", "hài lòng nhưng phải chờ 3 tiếng", "cán bộ nhiệt tình"]
    code, out = run(tmp_path, texts)
    assert code == 0
    written = out.read_text(encoding="utf-8")
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "id",
        "p_dissatisfied",
        "dissatisfied",
        "themes",
        "theme_terms",
        "mentions_person",
        "redacted_text",
    ]
    for _, secret, _ in CASES:
        assert not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", written), secret
    assert rows[-3]["dissatisfied"] == "0" and rows[-3]["p_dissatisfied"] == "0.0000"  # no text
    assert rows[-2]["dissatisfied"] == "1" and "waiting" in rows[-2]["themes"].split(";")
    assert rows[-1]["dissatisfied"] == "0"
    assert rows[16]["mentions_person"] == "1"  # "Chị Lan ở quầy 3 …"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "no comments with a rating"),
        ([("rất tốt", 5), ("nhanh", 4)], "no dissatisfied comments"),
        ([("chậm", 1), ("tệ", 2)], "only dissatisfied comments"),
        ([("chậm", 1), ("rất tốt", 5), ("nhanh", 4), ("ổn", 5)], "only one dissatisfied comment"),
        ([("chậm", 1), ("tệ", 2), ("nhanh", 4)], "only one comment that is not dissatisfied"),
        ([("chậm", "abc")], "rating 'abc' is not 1–5"),
    ],
)
def test_bad_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[tuple[str, object]], message: str
) -> None:
    code, _ = run(tmp_path, ["chờ lâu"], rows)
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_missing_column_and_bad_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_history(tmp_path / "h.csv", list(zip(*history(), strict=True)))
    (tmp_path / "in.csv").write_text("id,comment\n1,chờ lâu\n", encoding="utf-8")
    args = [
        "analyze",
        "comments",
        str(tmp_path / "in.csv"),
        "--history",
        str(tmp_path / "h.csv"),
        "--out",
        str(tmp_path / "o.csv"),
    ]
    assert main(args) == 2
    assert "has no column 'text'" in capsys.readouterr().err
    (tmp_path / "in.csv").write_bytes("id,text\n1,Quán café\n".encode("latin-1"))
    assert main(args) == 2
    assert "is not UTF-8" in capsys.readouterr().err
    (tmp_path / "in.csv").unlink()
    assert main(args) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_theme_rows_show_no_personal_data() -> None:
    from analysis.comments.pipeline import analyse, theme_rows

    texts, ratings = history()
    inputs = [f"phải chờ lâu, thái độ cáu gắt. {text}" for text, _, _ in CASES] * 2
    results = analyse(inputs, texts, ratings, officer_names=["Nguyễn Thị Lan"], seed=0)
    shown = " ".join(f"{row['top_terms']} {row['examples']}" for row in theme_rows(results, seed=0))
    shown += " ".join(" ".join(r.top_terms) for r in results)
    assert "[SĐT]" in shown or "[TÊN]" in shown or "[CCCD]" in shown
    for _, secret, _ in CASES:
        assert not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", shown), secret
