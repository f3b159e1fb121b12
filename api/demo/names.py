"""Plausible Vietnamese personal names (họ + đệm + tên), weighted towards Hoà Bình's Kinh, Mường and Thái."""

from __future__ import annotations

import random

SURNAMES = (
    ("Nguyễn", 30),
    ("Bùi", 12),
    ("Đinh", 9),
    ("Trần", 8),
    ("Lê", 7),
    ("Phạm", 6),
    ("Hoàng", 4),
    ("Quách", 4),
    ("Xa", 2),
    ("Hà", 3),
    ("Vũ", 3),
    ("Đỗ", 2),
    ("Ngô", 2),
    ("Đặng", 2),
    ("Lò", 1),
    ("Vì", 1),
    ("Sa", 1),
    ("Dương", 1),
    ("Cao", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Tiến", "Mạnh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim", "Phương", "Thúy")
GIVEN_MALE = (
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Long",
    "Hải",
    "Thắng",
    "Cường",
    "Quân",
    "Hiếu",
    "Toàn",
    "Sơn",
    "Phong",
    "Trung",
    "Khánh",
    "Đạt",
    "Huy",
    "Bình",
    "Tùng",
    "Kiên",
    "Thành",
    "Vinh",
    "Hưng",
    "Lâm",
)
GIVEN_FEMALE = (
    "Lan",
    "Hương",
    "Hoa",
    "Mai",
    "Hạnh",
    "Thảo",
    "Trang",
    "Linh",
    "Huyền",
    "Nga",
    "Yến",
    "Phương",
    "Dung",
    "Hằng",
    "Oanh",
    "Thủy",
    "Hà",
    "Loan",
    "Nhung",
    "Vân",
    "Giang",
    "Ngân",
    "Quỳnh",
    "Tâm",
)
_SURNAME_NAMES = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)


def person(rng: random.Random) -> str:
    surname = rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]
    if rng.random() < 0.55:
        return f"{surname} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
    return f"{surname} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
