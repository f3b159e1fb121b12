"""A small synthetic history of counter comments (Vietnamese and English) for the comment tests."""

from __future__ import annotations

import random

PRAISE = [
    "cán bộ nhiệt tình",
    "hướng dẫn rõ ràng",
    "rất hài lòng",
    "làm thủ tục nhanh",
    "thân thiện chu đáo",
    "nhân viên vui vẻ",
    "good service",
    "staff were helpful and friendly",
    "quick and easy",
    "cảm ơn cán bộ",
]
COMPLAINTS = [
    "phải chờ rất lâu",
    "chờ 3 tiếng mới tới lượt",
    "thái độ cáu gắt",
    "bổ sung giấy tờ nhiều lần",
    "lệ phí không rõ ràng",
    "trả kết quả trễ hẹn",
    "phòng chờ nóng thiếu ghế",
    "cổng dịch vụ công bị lỗi",
    "đòi tiền bồi dưỡng",
    "I waited for hours",
    "rude officer",
    "unclear instructions",
    "không hài lòng",
]
FILLER = ["hôm nay", "tôi đến", "làm hồ sơ", "đất đai", "hộ tịch", "ở quầy", "buổi sáng", "lần này", "today", "i came"]


def history(n: int = 400, seed: int = 3) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, ratings = [], []
    for _ in range(n):
        filler = " ".join(rng.sample(FILLER, 2))
        if rng.random() < 0.55:
            texts.append(f"{filler} {rng.choice(PRAISE)}")
            ratings.append(rng.choice([4, 5]))
        else:
            texts.append(f"{filler} {rng.choice(COMPLAINTS)}")
            ratings.append(rng.choice([1, 2]))
    return texts, ratings
