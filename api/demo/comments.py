"""Citizen comments for the demo: Vietnamese with and without diacritics, some English.

Themes are the fixed ones of PRODUCT.md (waiting, attitude, guidance, documents, fees, late,
facilities, online, harassment), praise, and a few that no fixed theme names (VNeID, punctuality,
photocopy shops) for topic modelling to find. A few comments carry personal data for redaction.
"""

from __future__ import annotations

import random
import unicodedata

VI: dict[str, tuple[str, ...]] = {
    "waiting": (
        "Phải chờ quá lâu mới đến lượt",
        "Chờ gần {n} tiếng đồng hồ",
        "Đông người mà chỉ mở một quầy",
        "Số thứ tự gọi rất chậm, chờ cả buổi sáng",
        "Xếp hàng từ sớm mà gần trưa mới được tiếp nhận",
        "Thời gian chờ đợi lâu quá",
        "Đến lượt thì cán bộ báo hết giờ, hẹn chiều quay lại",
    ),
    "attitude": (
        "Cán bộ thái độ không tốt, nói trống không",
        "Cán bộ cáu gắt với người dân",
        "Nhân viên vừa làm vừa dùng điện thoại",
        "Cán bộ quát người già",
        "Thái độ phục vụ thờ ơ, thiếu tôn trọng",
        "Hỏi thêm thì cán bộ tỏ ra khó chịu",
    ),
    "guidance": (
        "Hướng dẫn không rõ ràng, phải đi lại nhiều lần",
        "Không được hướng dẫn cụ thể cần những giấy tờ gì",
        "Mỗi cán bộ hướng dẫn một kiểu",
        "Hướng dẫn qua loa, không ghi lại cho dân",
        "Hỏi mãi mới biết phải nộp ở quầy khác",
    ),
    "documents": (
        "Bắt bổ sung giấy tờ nhiều lần",
        "Lần nào đến cũng bị yêu cầu thêm giấy tờ mới",
        "Yêu cầu nộp bản sao công chứng dù đã mang bản chính",
        "Phải về quê xin thêm xác nhận",
        "Đi lại {n} lần vẫn chưa đủ hồ sơ",
        "Giấy tờ yêu cầu không có trong quy định",
    ),
    "fees": (
        "Lệ phí không được niêm yết rõ ràng",
        "Phải nộp thêm tiền ngoài quy định mới được làm nhanh",
        "Thu phí cao hơn mức quy định",
        "Bị gợi ý bồi dưỡng để hồ sơ nhanh hơn",
        "Không được đưa biên lai thu phí",
    ),
    "late": (
        "Hẹn trả kết quả nhưng đến nơi chưa có",
        "Trễ hẹn {n} ngày mà không báo trước",
        "Hồ sơ đất đai trễ hẹn mấy tháng rồi",
        "Không có phiếu xin lỗi khi trễ hẹn",
        "Lên lấy kết quả mấy lần vẫn chưa xong",
    ),
    "facilities": (
        "Phòng chờ nóng, quạt không chạy",
        "Thiếu ghế ngồi chờ",
        "Nhà vệ sinh bẩn",
        "Máy lấy số thứ tự bị hỏng",
        "Không có chỗ để xe",
        "Bàn viết hồ sơ thiếu bút và mẫu đơn",
    ),
    "online": (
        "Dịch vụ công trực tuyến hay bị lỗi",
        "Nộp trực tuyến rồi vẫn phải mang hồ sơ giấy đến",
        "Cổng dịch vụ công không đăng nhập được",
        "Không nhận được tin nhắn báo kết quả",
        "Thanh toán trực tuyến bị trừ tiền mà hồ sơ báo chưa nộp phí",
    ),
    "harassment": (
        "Cán bộ gây khó dễ, sách nhiễu",
        "Cố tình làm khó để dân phải nhờ dịch vụ bên ngoài",
        "Bị hạch sách vô lý",
        "Cán bộ gợi ý đi qua người quen cho nhanh",
    ),
    "vneid": (
        "Bắt cài VNeID mới cho nộp hồ sơ",
        "Tài khoản định danh điện tử mức 2 chưa kích hoạt được",
        "Không biết dùng VNeID, không ai hướng dẫn",
        "Ứng dụng VNeID báo lỗi xác thực khuôn mặt",
    ),
    "punctuality": (
        "Đã quá giờ làm việc mà quầy chưa có người",
        "Cán bộ nghỉ trưa sớm, 11 giờ đã đóng quầy",
        "Chiều 4 giờ đã không tiếp nhận nữa",
    ),
    "photocopy": (
        "Phải ra ngoài photo công chứng giá cao",
        "Dịch vụ photo ngoài cổng thu tiền quá đắt",
        "Trong trung tâm không có máy photo",
    ),
    "positive": (
        "Cán bộ nhiệt tình, chu đáo",
        "Hướng dẫn tận tình, dễ hiểu",
        "Thủ tục nhanh gọn",
        "Rất hài lòng",
        "Thái độ phục vụ tốt, lịch sự",
        "Trả kết quả sớm hơn hẹn",
        "Cảm ơn chị cán bộ đã hỗ trợ nhiệt tình",
        "Phòng chờ sạch sẽ, mát mẻ",
        "Làm nhanh, không phải chờ lâu",
        "Cán bộ trẻ, nắm vững nghiệp vụ",
        "Được hướng dẫn một lần là đủ hồ sơ",
        "Cảm ơn anh cán bộ quầy số {n}",
    ),
    "neutral": ("Bình thường", "Tạm được", "ok", "Được", "Không có ý kiến"),
}
EN: dict[str, tuple[str, ...]] = {
    "waiting": ("Waited over an hour for my turn", "Too long a queue, only one counter open"),
    "attitude": ("The officer was rude", "Staff was on the phone the whole time"),
    "guidance": ("Instructions were unclear", "Nobody told me which documents I needed"),
    "documents": ("Asked to bring more documents {n} times", "They keep asking for new papers"),
    "fees": ("Asked for an extra fee to speed things up", "Fees were not posted anywhere"),
    "late": ("Result was late with no explanation", "My file is {n} days late"),
    "facilities": ("No seats in the waiting area", "The queue ticket machine was broken"),
    "online": ("The online portal kept failing", "Applied online but still had to come in person"),
    "harassment": ("The officer made things difficult on purpose",),
    "vneid": ("Could not log in with VNeID",),
    "punctuality": ("Counter was closed before the official time",),
    "photocopy": ("Had to pay a lot for copies outside",),
    "positive": (
        "Very helpful staff, quick service",
        "Thank you!",
        "Friendly and efficient",
        "Clear explanation, done in one visit",
    ),
    "neutral": ("ok", "Fine"),
}
CLOSERS = ("Đề nghị lãnh đạo xem xét", "Mong được cải thiện", "Mong trung tâm khắc phục", "Cảm ơn", "")
EMERGENT = ("vneid", "punctuality", "photocopy")
# Mild complaints some satisfied citizens still write down.
MILD = ("waiting", "facilities", "online", "photocopy", "vneid")


def fold(text: str) -> str:
    """Drop Vietnamese diacritics the way people type without a Vietnamese keyboard."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _fill(rng: random.Random, phrase: str) -> str:
    return phrase.replace("{n}", str(rng.randint(2, 6))) if "{n}" in phrase else phrase


def _pii(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f"Liên hệ tôi: 09{rng.randint(10_000_000, 99_999_999)}"
    if kind == 1:
        return f"CCCD của tôi 0{rng.randint(17_000_000_000, 17_999_999_999)}"
    return f"email {rng.choice(('hoa', 'minh', 'tuan', 'lan'))}{rng.randint(70, 99)}@gmail.com"


def comment(rng: random.Random, theme: str) -> str:
    """One comment on ``theme``: ~8 % English, ~25 % of the Vietnamese ones without diacritics."""
    if rng.random() < 0.08:
        return _fill(rng, rng.choice(EN[theme]))
    phrases = VI[theme]
    parts = [_fill(rng, rng.choice(phrases))]
    if theme != "neutral" and rng.random() < 0.35:
        second = _fill(rng, rng.choice(phrases))
        if second != parts[0]:
            parts.append(second.lower() if rng.random() < 0.5 else second)
    if theme not in ("positive", "neutral") and rng.random() < 0.3:
        closer = rng.choice(CLOSERS)
        if closer:
            parts.append(closer)
    text = ". ".join(parts) if rng.random() < 0.6 else ", ".join(parts)
    if rng.random() < 0.004:
        text = f"{text}. {_pii(rng)}"
    if rng.random() < 0.25:
        text = fold(text)
        if rng.random() < 0.6:
            text = text.lower()
    return text
