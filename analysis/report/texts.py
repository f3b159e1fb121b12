"""The report's words, in Vietnamese and English."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Báo cáo phân tích mức độ hài lòng của người dân",
        "switch": "English",
        "body": "Đơn vị",
        "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc",
        "period": "Kỳ báo cáo",
        "tables_for": "Các bảng dưới đây là số liệu của năm",
        "too_few": "quá ít để đánh giá",
        "unofficial": "Chỉ số kiểu SIPAS (không chính thức)",
        "timeliness": "1. Tiến độ giải quyết hồ sơ (Thông tư 01/2018/TT-VPCP, chỉ tiêu 1)",
        "early": "Trước hạn",
        "on_time": "Đúng hạn",
        "late": "Trễ hạn",
        "satisfaction": "2. Mức độ hài lòng tại quầy",
        "counter_rate": "Tỷ lệ hài lòng (chỉ hồ sơ được đánh giá)",
        "ratio_766": "Tỷ lệ hài lòng theo QĐ 766 (không chính thức)",
        "coverage": "Tỷ lệ được đánh giá (đánh giá / hồ sơ đã giải quyết)",
        "sipas": "3. Khảo sát qua mã QR trên phiếu hẹn",
        "harassment_share": "Có gặp sách nhiễu, phiền hà",
        "payment_share": "Phải đưa tiền ngoài quy định",
        "sipas_service": "Chỉ số hài lòng về dịch vụ",
        "trends": "4. Xu hướng theo tháng (biểu đồ p′, quy tắc MDC)",
        "no_trend": "Không có tín hiệu đặc biệt ở đơn vị nào.",
        "changes": "5. Thay đổi so với tháng trước (kiểm định hai tỷ lệ, hiệu chỉnh Benjamini–Hochberg)",
        "no_change": "Không có thay đổi có ý nghĩa thống kê.",
        "officers": "6. Công chức: vị trí trên biểu đồ phễu",
        "officers_note": "Ước lượng Bayes thực nghiệm (beta-nhị thức) với khoảng tin cậy 95 %; không xếp hạng. "
        "Chỉ nêu công chức nằm ngoài khoảng kỳ vọng; điểm của công chức có ít hơn {min_n} đánh giá bị ẩn.",
        "flags": "7. Dấu hiệu bất thường cần xem xét",
        "no_flags": "Không có dấu hiệu bất thường.",
        "staff": "Đánh giá do cán bộ nhập (đã loại khỏi mọi chỉ số)",
        "methods": "8. Phương pháp",
        "unit": "Đơn vị",
        "month": "Tháng",
        "value": "Giá trị",
        "rule": "Quy tắc",
        "direction": "Hướng",
        "officer": "Công chức",
        "estimate": "Ước lượng",
        "funnel": "Biểu đồ phễu",
        "kind": "Loại",
        "scope": "Phạm vi",
        "count": "Số lượng",
        "detail": "Chi tiết",
        "first": "Từ",
        "last": "Đến",
        "from": "Tháng trước",
        "to": "Tháng này",
        "q": "p hiệu chỉnh",
        "table": "Bảng số liệu",
        "measure": "Chỉ tiêu",
        "within": "trong khoảng kỳ vọng",
        "above_95": "trên khoảng kỳ vọng (95 %)",
        "above_998": "trên khoảng kỳ vọng (99,8 %)",
        "below_95": "dưới khoảng kỳ vọng (95 %)",
        "below_998": "dưới khoảng kỳ vọng (99,8 %)",
        "concern": "đáng lo ngại",
        "improvement": "cải thiện",
        "outside_limits": "ngoài giới hạn kiểm soát",
        "trend": "xu hướng 7 điểm",
        "two_of_three": "2 trong 3 điểm gần giới hạn",
        "shift": "dịch chuyển 7 điểm",
        "burst": "Loạt đánh giá dồn dập",
        "fast_tap": "Chạm quá nhanh",
        "off_hours": "Ngoài giờ làm việc",
        "repeated_comment": "Góp ý lặp lại",
        "kiosk_qr_gap": "Chênh lệch kiosk và QR",
        "staff_entered": "Cán bộ nhập",
    },
    "en": {
        "title": "Citizen satisfaction analysis report",
        "switch": "Tiếng Việt",
        "body": "Unit",
        "motto": "SOCIALIST REPUBLIC OF VIET NAM — Independence - Freedom - Happiness",
        "period": "Period",
        "tables_for": "The tables below give the figures of the year",
        "too_few": "too few to judge",
        "unofficial": "SIPAS-style indices (unofficial)",
        "timeliness": "1. Timeliness of dossiers (Circular 01/2018/TT-VPCP, indicator 1)",
        "early": "Early",
        "on_time": "On time",
        "late": "Late",
        "satisfaction": "2. Satisfaction at the counter",
        "counter_rate": "Satisfaction rate (rated dossiers only)",
        "ratio_766": "Decision 766 satisfaction ratio (unofficial)",
        "coverage": "Coverage (rated / handled)",
        "sipas": "3. Receipt-QR questionnaire",
        "harassment_share": "Met harassment",
        "payment_share": "Paid beyond the rules",
        "sipas_service": "Service satisfaction index",
        "trends": "4. Monthly trends (p′ chart, Making Data Count rules)",
        "no_trend": "No special cause at any unit.",
        "changes": "5. Change from the month before (two-proportion test, Benjamini–Hochberg corrected)",
        "no_change": "No statistically significant change.",
        "officers": "6. Officers: position on the funnel plot",
        "officers_note": "Empirical-Bayes (beta-binomial) estimates with 95 % credible intervals; no ranking. "
        "Only officers outside the expected range are listed; officers with fewer than {min_n} ratings are hidden.",
        "flags": "7. Integrity flags to review",
        "no_flags": "No integrity flag.",
        "staff": "Ratings entered by staff (excluded from every index)",
        "methods": "8. Methods",
        "unit": "Unit",
        "month": "Month",
        "value": "Value",
        "rule": "Rule",
        "direction": "Direction",
        "officer": "Officer",
        "estimate": "Estimate",
        "funnel": "Funnel",
        "kind": "Kind",
        "scope": "Scope",
        "count": "Count",
        "detail": "Detail",
        "first": "First",
        "last": "Last",
        "from": "Last month",
        "to": "This month",
        "q": "adjusted p",
        "table": "Data table",
        "measure": "Measure",
        "within": "within the expected range",
        "above_95": "above the expected range (95 %)",
        "above_998": "above the expected range (99.8 %)",
        "below_95": "below the expected range (95 %)",
        "below_998": "below the expected range (99.8 %)",
        "concern": "concern",
        "improvement": "improvement",
        "outside_limits": "outside the control limits",
        "trend": "7-point trend",
        "two_of_three": "2 of 3 near the limits",
        "shift": "7-point shift",
        "burst": "Burst of ratings",
        "fast_tap": "Taps too fast",
        "off_hours": "Outside opening hours",
        "repeated_comment": "Repeated comment",
        "kiosk_qr_gap": "Kiosk vs receipt-QR gap",
        "staff_entered": "Entered by staff",
    },
}

METHODS = {
    "vi": (
        "Mỗi tỷ lệ là x/n kèm khoảng tin cậy Wilson 95 %; đơn vị, quầy, thủ tục có ít hơn {min_n} đánh giá "
        "được ghi “quá ít để đánh giá”. Số liệu của một đơn vị bao gồm mọi đơn vị trực thuộc. Đánh giá do cán"
        " bộ nhập bị loại và được đếm riêng. Tỷ lệ QĐ 766 = (hồ sơ đã giải quyết − hồ sơ bị đánh giá không "
        "hài lòng hoặc trễ hạn) / hồ sơ đã giải quyết, luôn đặt cạnh tỷ lệ được đánh giá. Chỉ số kiểu SIPAS: "
        "tỷ lệ câu trả lời 4–5 trên thang 5; chỉ số yếu tố là trung bình các câu, chỉ số dịch vụ là trung "
        "bình các yếu tố (không chính thức). Xu hướng: biểu đồ Laney p′, quy tắc Making Data Count ({rules} "
        "v{rules_version}), không vẽ giới hạn khi có dưới {points} tháng, mục tiêu {target}. Công chức: ước "
        "lượng Bayes thực nghiệm, biểu đồ phễu có hiệu chỉnh phân tán quá mức, ẩn dưới {officer_min_n} đánh "
        "giá và ẩn thứ cấp. Ngưỡng dấu hiệu bất thường: {flags}."
    ),
    "en": (
        "Each rate is x/n with its 95 % Wilson interval; units, counters and procedures with fewer than "
        "{min_n} ratings are shown as “too few to judge”. A unit's figures include every unit under it. "
        "Staff-entered ratings are excluded and counted separately. Decision 766 ratio = (dossiers handled − "
        "dossiers rated not satisfied or late) / dossiers handled, always beside the coverage. SIPAS-style "
        "indices: share of answers 4–5 on the 5-point scale; a factor index is the mean of its items, the "
        "service index the mean of the factors (unofficial). Trends: Laney p′ chart with the Making Data "
        "Count rules ({rules} v{rules_version}), no limits on fewer than {points} months, target {target}. "
        "Officers: empirical-Bayes estimates, funnel plot with overdispersion adjustment, hidden below "
        "{officer_min_n} ratings with secondary suppression. Flag thresholds: {flags}."
    ),
}
