"""Real administrative procedures (TTHC) by level, with field (lĩnh vực) and legal processing days.

Codes follow the national procedure database's style; they are demo codes, not all official ones.
``weight`` is the procedure's relative share of dossiers at the level that handles it; ``online`` is
the share filed online (dịch vụ công trực tuyến).
"""

from __future__ import annotations

from typing import NamedTuple


class Proc(NamedTuple):
    code: str
    name: str
    field: str
    legal_days: int
    weight: float
    online: float = 0.15
    land: bool = False  # land procedures run late more often and cost more


COMMUNE = (
    Proc("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", 1, 30, 0.05),
    Proc("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 1, 8, 0.02),
    Proc(
        "2.001035",
        "Chứng thực hợp đồng, giao dịch liên quan đến quyền sử dụng đất, nhà ở",
        "Chứng thực",
        2,
        5,
        0.0,
        True,
    ),
    Proc("1.001193", "Đăng ký khai sinh", "Hộ tịch", 1, 10, 0.35),
    Proc("1.000894", "Đăng ký kết hôn", "Hộ tịch", 1, 3, 0.1),
    Proc("1.000656", "Đăng ký khai tử", "Hộ tịch", 1, 3, 0.3),
    Proc("1.004873", "Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, 5, 0.3),
    Proc("1.004884", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 1, 4, 0.3),
    Proc("1.004859", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", "Hộ tịch", 3, 2, 0.1),
    Proc("1.004194", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", 7, 5, 0.6),
    Proc("1.004222", "Đăng ký tạm trú", "Đăng ký, quản lý cư trú", 3, 3, 0.6),
    Proc("1.001776", "Thực hiện trợ cấp xã hội hằng tháng", "Bảo trợ xã hội", 20, 1.5, 0.05),
)
DISTRICT = (
    Proc("1.001612", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, 8, 0.45),
    Proc(
        "2.000720",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        3,
        3,
        0.45,
    ),
    Proc(
        "1.004227",
        "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "Đất đai",
        30,
        6,
        0.05,
        True,
    ),
    Proc(
        "1.004221",
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho, thừa kế",
        "Đất đai",
        10,
        12,
        0.05,
        True,
    ),
    Proc("1.004203", "Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất", "Đất đai", 7, 5, 0.05, True),
    Proc("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Hoạt động xây dựng", 15, 3, 0.2),
    Proc("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản (cấp huyện)", "Chứng thực", 1, 6, 0.05),
    Proc("1.000110", "Đăng ký kết hôn có yếu tố nước ngoài", "Hộ tịch", 15, 0.5, 0.1),
    Proc("1.001224", "Cấp giấy phép kinh doanh bán lẻ sản phẩm rượu", "Lưu thông hàng hóa trong nước", 10, 1, 0.4),
    Proc("1.001739", "Giải quyết chế độ trợ cấp một lần đối với người có công", "Người có công", 20, 1, 0.05),
)
# Department code -> its procedures (the centre's own counters guide and return results).
DEPARTMENT = {
    "HB.STP": (
        Proc("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Lý lịch tư pháp", 10, 10, 0.5),
        Proc("2.000505", "Cấp Phiếu lý lịch tư pháp số 2", "Lý lịch tư pháp", 10, 2, 0.4),
        Proc("1.001071", "Đăng ký hành nghề công chứng", "Công chứng", 10, 0.3, 0.3),
    ),
    "HB.STNMT": (
        Proc("1.004209", "Đăng ký biến động đất đai đối với tổ chức", "Đất đai", 10, 4, 0.1, True),
        Proc("1.004132", "Cấp giấy phép khai thác, sử dụng nước mặt", "Tài nguyên nước", 30, 0.5, 0.2),
        Proc("1.010728", "Cấp giấy phép môi trường", "Môi trường", 30, 0.6, 0.3),
    ),
    "HB.SKHDT": (
        Proc(
            "2.001610",
            "Đăng ký thành lập công ty TNHH một thành viên",
            "Thành lập và hoạt động của doanh nghiệp",
            3,
            4,
            0.8,
        ),
        Proc(
            "2.002005",
            "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
            "Thành lập và hoạt động của doanh nghiệp",
            3,
            5,
            0.8,
        ),
        Proc("1.009645", "Chấp thuận chủ trương đầu tư", "Đầu tư tại Việt Nam", 35, 0.3, 0.2),
    ),
    "HB.SXD": (
        Proc("1.009972", "Cấp giấy phép xây dựng công trình", "Hoạt động xây dựng", 20, 2, 0.3),
        Proc("1.009986", "Cấp chứng chỉ hành nghề hoạt động xây dựng", "Hoạt động xây dựng", 20, 1, 0.4),
    ),
    "HB.SGTVT": (
        Proc("1.002804", "Cấp đổi giấy phép lái xe", "Đường bộ", 5, 10, 0.5),
        Proc("1.002801", "Cấp lại giấy phép lái xe", "Đường bộ", 5, 2, 0.4),
    ),
    "HB.SLDTBXH": (
        Proc("1.000105", "Cấp giấy phép lao động cho người lao động nước ngoài", "Việc làm", 5, 1.5, 0.5),
        Proc("1.001978", "Giải quyết hưởng trợ cấp thất nghiệp", "Việc làm", 20, 5, 0.2),
    ),
    "HB.SYT": (
        Proc("1.004539", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", "Khám bệnh, chữa bệnh", 30, 2, 0.3),
        Proc("1.002467", "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "An toàn thực phẩm", 15, 1, 0.3),
    ),
    "HB.SCT": (
        Proc("2.000620", "Cấp giấy phép bán buôn sản phẩm rượu", "Lưu thông hàng hóa trong nước", 15, 1, 0.5),
        Proc("2.001283", "Cấp giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", "Kinh doanh khí", 15, 0.7, 0.3),
    ),
    "HB.SNNPTNT": (
        Proc(
            "1.003062",
            "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản",
            "Quản lý chất lượng nông lâm sản và thủy sản",
            15,
            1.5,
            0.3,
        ),
    ),
    "HB.SGDDT": (
        Proc("1.005092", "Chỉnh sửa nội dung văn bằng, chứng chỉ", "Văn bằng, chứng chỉ", 5, 1, 0.3),
        Proc("1.000181", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "Văn bằng, chứng chỉ", 5, 2, 0.3),
    ),
}
