"""Redaction: every spelling of personal data inside Vietnamese sentences is replaced by a typed token."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.comments.redact import redact

CASES = [
    ("Gọi tôi theo số 0912 345 678 nhé", "0912 345 678", "[SĐT]"),
    ("số của tôi là 0912.345.678 ạ", "0912.345.678", "[SĐT]"),
    ("liên hệ 0912-345-678 khi có kết quả", "0912-345-678", "[SĐT]"),
    ("gọi +84 912 345 678 giúp tôi", "+84 912 345 678", "[SĐT]"),
    ("gọi +84912345678 giúp tôi", "+84912345678", "[SĐT]"),
    ("sđt 84912345678 của con tôi", "84912345678", "[SĐT]"),
    ("máy bàn 0218 3852 123 không ai nghe", "0218 3852 123", "[SĐT]"),
    ("số 0912345678 đã đăng ký", "0912345678", "[SĐT]"),
    ("CCCD 001203004567 bị ghi sai", "001203004567", "[CCCD]"),
    ("CMND cũ 123456789 vẫn dùng được", "123456789", "[CCCD]"),
    ("mã số thuế 0101234567 của công ty", "0101234567", "[MST]"),
    ("MST: 0101234567-001 chi nhánh", "0101234567-001", "[MST]"),
    ("email nguyen.van.a@gmail.com không nhận được", "nguyen.van.a@gmail.com", "[EMAIL]"),
    ("xe biển 29A-123.45 bị giữ", "29A-123.45", "[BIỂN SỐ]"),
    ("xe máy 28B1-234.56 của tôi", "28B1-234.56", "[BIỂN SỐ]"),
    ("xe 51f-123.45 đỗ ngoài", "51f-123.45", "[BIỂN SỐ]"),
    ("Chị Lan ở quầy 3 rất nhiệt tình", "Lan", "[TÊN]"),
    ("anh Nguyễn Văn Hùng cáu gắt với dân", "Nguyễn Văn Hùng", "[TÊN]"),
    ("cán bộ Minh hướng dẫn kỹ", "Minh", "[TÊN]"),
    ("em cảm ơn chị Trần thị Mai", "Trần thị Mai", "[TÊN]"),
    ("cô Thảo nói chuyện riêng", "Thảo", "[TÊN]"),
    ("chú Tư bảo về nhà chờ", "Tư", "[TÊN]"),
    ("Bác Ba ở bộ phận một cửa", "Ba", "[TÊN]"),
    ("ông Hoàng thu thêm tiền", "Hoàng", "[TÊN]"),
    ("bà Tâm trả hồ sơ chậm", "Tâm", "[TÊN]"),
    ("chi lan quay 3 khong nhiet tinh", "lan", "[TÊN]"),
    ("Mr Smith was rude", "Smith", "[TÊN]"),
]


@pytest.mark.parametrize(("text", "secret", "token"), CASES)
def test_each_spelling_is_replaced(text: str, secret: str, token: str) -> None:
    out = redact(text).text
    assert token in out
    assert not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", out)


@pytest.mark.parametrize(
    "text",
    [
        "Ông/Bà đánh giá như thế nào về thái độ công chức?",
        "Ông/Bà Vui lòng ghi rõ ý kiến",
        "anh ấy hướng dẫn tận tình",
        "bà con phải chờ lâu quá",
        "lệ phí 200.000 đồng, chờ 2 tiếng, quầy số 12",
        "ngày 12/03/2024 nộp hồ sơ, hẹn 15 ngày",
    ],
)
def test_ordinary_words_and_formal_you_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert not result.mentions_person


@pytest.mark.parametrize(
    "text",
    [
        "em hài lòng với cán bộ",  # hài is not Hải
        "thầy giảng bài dễ hiểu",  # giảng is not Giang
        "chúng em hiểu được rất nhiều",  # hiểu is not Hiếu
        "cô có tổ chức học anh văn",  # văn is not Vân
        "em nhận thấy cán bộ nhiệt tình",
        "thầy lồng ghép ví dụ",  # lồng is not Long
    ],
)
def test_a_word_with_its_own_diacritics_is_no_given_name(text: str) -> None:
    officers = ["Trần Thị Giang", "Lê Văn Hải", "Nguyễn Hiếu", "Phạm Vân", "Đỗ Long", "Hồ Thị Nhàn"]
    for names in ((), officers):
        result = redact(text, names)
        assert result.text == text and not result.mentions_person, names


def test_a_given_name_is_found_with_its_diacritics_or_without_any() -> None:
    officers = ["Trần Thị Giang", "Nguyễn Hiếu"]
    for text in ("cô giang bảo chờ", "em cảm ơn anh hiếu", "co giang bao cho", "chi Giang", "anh hieu"):
        result = redact(text, officers)
        assert "[TÊN]" in result.text and result.mentions_person, text
    assert redact("em cảm ơn chị hương").text == "em cảm ơn chị [TÊN]"  # a common given name, as written
    assert redact("em cam on chi thao").text == "em cam on chi [TÊN]"  # typed without diacritics: redacted


def test_mentions_person_uses_the_officer_list_with_or_without_diacritics() -> None:
    officers = ["Nguyễn Thị Lan", "Trần Minh"]
    assert redact("chi lan lam viec cham", officers).mentions_person
    assert redact("Cảm ơn chị Lan", officers).mentions_person
    assert redact("tran minh rat tot", officers).text == "[TÊN] rat tot"
    assert redact("nguyen thi lan tot", officers).mentions_person
    assert not redact("cán bộ hướng dẫn tận tình", officers).mentions_person


NAMES = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Anh", "Phạm Thu Hà"]
PIECES = [
    "chị lan",
    "anh hung",
    "cô ha",
    "em anh",
    "Nguyen Thi Lan",
    "trần văn hùng",
    "chờ lâu",
    "bác",
    "lan",
    "hà nội",
]


@given(st.lists(st.sampled_from(PIECES), max_size=6), st.sets(st.sampled_from(NAMES), max_size=4))
def test_a_mention_is_found_as_by_one_search_per_name(pieces: list[str], officers: set[str]) -> None:
    """The one compiled pattern per unit finds what a search per full name and per address + given name finds."""
    from analysis.comments.normalise import fold
    from analysis.comments.redact import _ADDRESS_FOLDED, _redact_names, officer_keys

    text = " ".join(pieces)
    full, first_names = officer_keys(officers)
    folded = fold(text)
    expected = any(re.search(rf"\b{re.escape(n)}\b", folded) for n in full) or any(
        re.search(rf"\b{re.escape(a)} {re.escape(g)}\b", folded) for a in _ADDRESS_FOLDED for g in first_names
    )
    named = _redact_names(text, first_names)[1]
    assert redact(text, officers).mentions_person == (expected or named)
