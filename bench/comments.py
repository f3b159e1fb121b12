"""``just bench comments``: synthetic comments, timed. ``--history N --input N`` (default 300 000 / 100 000).

The generator mixes service-centre phrases (praise, complaints by theme, contrast, numbers, names,
phones) with random filler syllables so that most comments are distinct. It prints the time to train and
score (``analyse``), the whole ``hailong analyze comments`` command, and the peak memory.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRAISE = [
    "cán bộ nhiệt tình",
    "hướng dẫn rõ ràng",
    "rất hài lòng",
    "làm nhanh",
    "thân thiện, chu đáo",
    "good service",
    "staff were helpful",
    "nhan vien vui ve",
    "thủ tục nhanh gọn",
]
COMPLAINTS = [
    "phải chờ lâu",
    "chờ 2 tiếng",
    "thái độ cáu gắt",
    "bổ sung giấy tờ nhiều lần",
    "lệ phí không rõ",
    "trả kết quả trễ hẹn",
    "phòng chờ nóng, thiếu ghế",
    "cổng dịch vụ công bị lỗi",
    "đòi tiền bồi dưỡng",
    "cho lau qua",
    "huong dan khong ro",
    "I waited two hours",
    "rude officer",
    "khong co cho ngoi",
]
FILLER = [
    "hôm",
    "nay",
    "tôi",
    "đến",
    "làm",
    "hồ",
    "sơ",
    "đất",
    "đai",
    "hộ",
    "tịch",
    "ở",
    "quầy",
    "số",
    "buổi",
    "sáng",
    "chiều",
    "lần",
    "này",
    "con",
    "cái",
    "giấy",
    "phép",
]


def comment(rng: random.Random) -> tuple[str, int]:
    filler = " ".join(rng.choices(FILLER, k=rng.randint(2, 8)))
    extra = rng.choice(["", "", "", f" gọi 09{rng.randint(10000000, 99999999)}", " chị Lan", f" {rng.randint(1, 99)}"])
    kind = rng.random()
    if kind < 0.55:
        return f"{filler} {rng.choice(PRAISE)}{extra}", rng.choice([4, 5, 5])
    if kind < 0.85:
        return f"{filler} {rng.choice(COMPLAINTS)}, {rng.choice(COMPLAINTS)}{extra}", rng.choice([1, 1, 2])
    return f"{rng.choice(PRAISE)} nhưng {rng.choice(COMPLAINTS)} {filler}{extra}", rng.choice([1, 2, 4])


def write(path: Path, n: int, seed: int, history: bool) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["text", "rating"] if history else ["id", "text"])
        for i in range(n):
            text, rating = comment(rng)
            out.writerow([text, rating] if history else [i, text])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=300_000)
    parser.add_argument("--input", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        history, inputs, out = Path(tmp, "history.csv"), Path(tmp, "input.csv"), Path(tmp, "out.csv")
        write(history, args.history, 1, True)
        write(inputs, args.input, 2, False)
        command = [
            sys.executable,
            "-m",
            "api.cli",
            "analyze",
            "comments",
            str(inputs),
            "--history",
            str(history),
            "--out",
            str(out),
        ]
        load = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        with out.open(encoding="utf-8") as f:
            distinct = len({row["redacted_text"] for row in csv.DictReader(f)})
        print(
            f"hailong analyze comments: {args.input} inputs ({distinct} distinct), {args.history} history: "
            f"{wall:.1f} s wall, {cpu:.1f} s CPU (all processes), peak RSS {peak:.0f} MB, "
            f"load average before {load:.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
