"""The versioned theme and cue lexicon, written from the service-centre domain. Pure Python.

Themes use the counter instrument's reason codes, so a theme found in a comment and a chip tapped at the
kiosk mean the same. Entries are phrases in Vietnamese (with diacritics) and English. Matching rules
(see ``match.py``):

- an entry with diacritics matches the same syllables as written, and the same syllables typed without
  any diacritics ("chờ lâu" matches "chờ lâu" and "cho lau");
- an entry starting with ``=`` needs its diacritics (its unaccented form is a different common word:
  "=tệ" must not match "te" in "thuc te");
- an entry without diacritics (English, or an explicit unaccented spelling) matches exactly;
- ``#`` stands for a number ("# tiếng" matches "2 tiếng", "3 tieng").

Nothing here was mined from evaluation data. Bump ``VERSION`` on every change: results name it.
"""

from __future__ import annotations

VERSION = "2026.1"

THEMES: dict[str, tuple[str, ...]] = {
    "waiting": (
        "chờ lâu", "đợi lâu", "chờ đợi", "phải chờ", "phải đợi", "chờ mãi", "đợi mãi", "chờ cả", "đợi cả",
        "xếp hàng", "lấy số", "số thứ tự", "bốc số", "quá tải", "đông người", "đông quá", "quá đông",
        "mất thời gian", "tốn thời gian", "cả buổi", "cả ngày", "nửa ngày", "cả sáng", "cả chiều",
        "# tiếng", "# giờ", "# phút", "mấy tiếng", "hàng tiếng", "tiếng đồng hồ", "lâu quá", "quá lâu",
        "rất lâu", "=lâu", "chậm", "chậm chạp", "giải quyết chậm", "hàng dài",
        "wait", "waited", "waiting", "queue", "queued", "queues", "line", "# hours", "# minutes", "hours",
        "slow", "ages", "crowded",
    ),
    "guidance": (
        "hướng dẫn", "chỉ dẫn", "giải thích", "tư vấn", "giải đáp", "chưa rõ", "không rõ", "khó hiểu",
        "không hiểu", "không biết", "mơ hồ", "thông tin", "nói không rõ", "hướng dẫn sai", "chỉ sai",
        "không chỉ", "hỏi mãi", "hỏi nhiều lần", "không được hướng dẫn", "thiếu hướng dẫn",
        "guidance", "guide", "guided", "explain", "explained", "explanation", "unclear", "confusing",
        "confused", "instructions", "information", "advice", "advise",
    ),
    "attitude": (
        "thái độ", "cáu", "cáu gắt", "gắt", "gắt gỏng", "quát", "quát tháo", "to tiếng", "lớn tiếng",
        "khó chịu", "hách dịch", "thờ ơ", "lạnh lùng", "vô cảm", "thiếu tôn trọng", "coi thường",
        "xem thường", "không nhiệt tình", "thiếu nhiệt tình", "bất lịch sự", "không lịch sự", "nói trống không",
        "làm việc riêng", "nói chuyện riêng", "bấm điện thoại", "lướt điện thoại", "nhiệt tình", "tận tình",
        "niềm nở", "vui vẻ", "thân thiện", "lịch sự", "ân cần", "chu đáo", "cửa quyền", "=nạt",
        "attitude", "rude", "rudely", "impolite", "unfriendly", "disrespectful", "shouted", "yelled",
        "arrogant", "friendly", "polite", "helpful", "kind", "courteous", "ignored",
    ),
    "documents": (
        "giấy tờ", "hồ sơ", "bổ sung", "bổ sung nhiều lần", "thiếu giấy", "sao y", "công chứng", "chứng thực",
        "bản sao", "bản chính", "photo", "mẫu đơn", "tờ khai", "biểu mẫu", "thủ tục", "rườm rà", "phức tạp",
        "đi lại nhiều lần", "nhiều lần", "làm lại", "khai lại", "nộp lại", "giấy khai sinh", "sổ hộ khẩu",
        "documents", "document", "paperwork", "papers", "forms", "form", "copies", "copy", "notarised",
        "notarized", "certified", "resubmit", "again and again", "procedure", "procedures",
    ),
    "fees": (
        "phí", "lệ phí", "chi phí", "thu phí", "thu thêm", "thu tiền", "nộp tiền", "đóng tiền", "tốn tiền",
        "=đắt", "mắc quá", "biên lai", "hóa đơn", "hoá đơn", "bảng giá", "mức phí", "phí dịch vụ",
        "fee", "fees", "charge", "charged", "charges", "cost", "costs", "expensive", "receipt", "price", "paid",
    ),
    "late": (
        "trễ hẹn", "lỡ hẹn", "sai hẹn", "không đúng hẹn", "quá hẹn", "quá hạn", "hẹn lại", "hẹn nhiều lần",
        "hẹn mãi", "giấy hẹn", "ngày hẹn", "chậm trả", "trả chậm", "trả trễ", "trả kết quả", "chưa có kết quả",
        "chưa trả", "=trễ", "=muộn", "kéo dài", "chậm trễ",
        "late", "overdue", "delayed", "delay", "deadline", "appointment", "not ready", "result", "results",
    ),
    "facilities": (
        "cơ sở vật chất", "phòng chờ", "=ghế", "ghế ngồi", "chỗ ngồi", "thiếu ghế", "=bàn", "bàn ghế",
        "máy lạnh", "điều hòa", "điều hoà", "quạt", "=nóng", "nóng bức", "oi bức", "ngột ngạt", "chật",
        "chật chội", "chật hẹp", "bãi xe", "chỗ để xe", "để xe", "gửi xe", "giữ xe", "nhà vệ sinh", "vệ sinh",
        "toilet", "wc", "nước uống", "wifi", "máy lấy số", "máy in", "máy tính", "máy photo", "màn hình",
        "=loa", "micro", "bảng điện tử", "đèn", "ồn", "ồn ào", "=bẩn", "=dơ", "mái che", "thang máy",
        "cầu thang", "phòng ốc", "trang thiết bị", "thiết bị", "=cũ kỹ", "xuống cấp", "dột",
        "facilities", "facility", "seats", "seat", "seating", "chairs", "chair", "air conditioning",
        "aircon", "hot", "parking", "restroom", "restrooms", "water", "printer", "screen", "dirty", "noisy",
        "lift", "elevator", "building", "room", "toilets",
    ),
    "online": (
        "trực tuyến", "dịch vụ công", "cổng dịch vụ công", "nộp online", "online", "qua mạng", "=mạng",
        "website", "trang web", "web", "ứng dụng", "app", "phần mềm", "hệ thống", "lỗi hệ thống", "đăng nhập",
        "tài khoản", "vneid", "otp", "chữ ký số", "thanh toán trực tuyến", "điện tử", "cổng",
        "portal", "login", "log in", "account", "system", "upload", "uploaded", "e-service", "internet",
    ),
    "harassment": (
        "sách nhiễu", "nhũng nhiễu", "gây khó dễ", "gây khó khăn", "làm khó", "phiền hà", "gây phiền hà",
        "tiêu cực", "bồi dưỡng", "lót tay", "phong bì", "tiền cà phê", "tiền trà nước", "trà nước",
        "đòi tiền", "vòi tiền", "móc ngoặc", "=cò", "dịch vụ ngoài", "cửa sau", "người quen", "chen ngang",
        "ưu tiên người quen", "hối lộ", "ăn tiền",
        "bribe", "bribes", "bribery", "harass", "harassed", "harassment", "extort", "extorted",
        "under the table", "kickback", "tea money", "corrupt", "corruption",
    ),
}

# General cues of a complaint (not tied to a theme), of praise, negators, contrast and suggestion words.
NEGATIVE = (
    "=tệ", "tồi", "tồi tệ", "kém", "chán", "=dở", "khó chịu", "bực", "bực mình", "bức xúc", "thất vọng",
    "không hài lòng", "chưa hài lòng", "không vừa ý", "phiền", "mệt", "mệt mỏi", "lâu", "chậm", "=trễ",
    "=muộn", "quá tải", "hỏng", "hư", "lỗi", "sai", "thiếu", "vô lý", "vô trách nhiệm", "thiếu trách nhiệm",
    "tắc trách", "cẩu thả", "không ổn", "kỳ cục", "khó khăn", "khó", "mất công", "mất thời gian", "lãng phí",
    "quá đông", "=bẩn", "ồn", "cáu", "gắt", "quát", "thờ ơ", "hách dịch", "nhũng nhiễu", "sách nhiễu",
    "phiền hà", "tiêu cực", "kém chất lượng", "chưa tốt", "không tốt", "qua loa", "đùn đẩy", "né tránh",
    "bad", "poor", "terrible", "awful", "horrible", "worst", "worse", "slow", "late", "rude", "disappointed",
    "disappointing", "unhappy", "dissatisfied", "annoying", "annoyed", "frustrating", "frustrated", "waste",
    "wasted", "unclear", "confusing", "dirty", "broken", "useless", "ridiculous", "unacceptable", "wrong",
    "problem", "problems", "complain", "complaint", "nobody", "never",
)
POSITIVE = (
    "tốt", "hài lòng", "rất hài lòng", "nhiệt tình", "tận tình", "tận tâm", "chu đáo", "nhanh", "nhanh chóng",
    "vui vẻ", "thân thiện", "lịch sự", "rõ ràng", "dễ hiểu", "chuyên nghiệp", "=hay", "ổn", "tuyệt vời",
    "xuất sắc", "cảm ơn", "chuẩn", "gọn", "thuận tiện", "dễ dàng", "sạch sẽ", "mát", "chỉn chu",
    "good", "great", "excellent", "helpful", "friendly", "polite", "quick", "quickly", "fast", "clear", "kind",
    "professional", "happy", "satisfied", "thanks", "thank", "nice", "efficient", "easy", "clean",
)
NEGATORS = (
    "không", "chưa", "chẳng", "chả", "ko", "k", "kg", "hông", "=hem", "không được", "chưa được", "chẳng hề",
    "không hề", "chưa hề", "thiếu", "not", "no", "never", "isn", "wasn", "didn", "don", "doesn", "weren",
    "aren", "hardly", "nothing", "without",
)
CONTRAST = (
    "nhưng", "nhưng mà", "tuy nhiên", "tuy vậy", "song", "có điều", "mỗi tội", "chỉ tiếc", "tiếc là",
    "but", "however", "though", "although", "yet", "except",
)
SUGGEST = (
    "nên", "cần", "mong", "đề nghị", "kiến nghị", "yêu cầu", "hy vọng", "hi vọng", "đề xuất", "cải thiện",
    "khắc phục", "should", "please", "hope", "need", "needs", "improve", "suggest",
)
