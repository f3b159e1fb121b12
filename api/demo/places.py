"""The unit tree of the demo province: Hoà Bình's centre, departments, districts and real communes.

District and commune names are real (before the 2025 reorganisation); the list of communes is a sample,
close to the province's 151 at ``province`` scale. ``weight`` is the district's relative dossier volume.
"""

from __future__ import annotations

from typing import NamedTuple

PROVINCE = ("HB", "Tỉnh Hoà Bình")
CENTRE = ("HB.TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh Hoà Bình")


class Department(NamedTuple):
    code: str
    name: str
    weight: float
    scale: int = 3


DEPARTMENTS = (
    Department("HB.STP", "Sở Tư pháp", 1.3),
    Department("HB.STNMT", "Sở Tài nguyên và Môi trường", 1.2),
    Department("HB.SKHDT", "Sở Kế hoạch và Đầu tư", 1.1, scale=5),
    Department("HB.SXD", "Sở Xây dựng", 0.7),
    Department("HB.SGTVT", "Sở Giao thông vận tải", 1.6),
    Department("HB.SLDTBXH", "Sở Lao động - Thương binh và Xã hội", 0.9),
    Department("HB.SYT", "Sở Y tế", 0.6),
    Department("HB.SCT", "Sở Công Thương", 0.5),
    Department("HB.SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", 0.5),
    Department("HB.SGDDT", "Sở Giáo dục và Đào tạo", 0.4),
)


class District(NamedTuple):
    code: str
    name: str
    weight: float
    communes: tuple[str, ...]


DISTRICTS = (
    District(
        "HB.TPHB",
        "Thành phố Hoà Bình",
        1.8,
        (
            "Phường Phương Lâm",
            "Phường Đồng Tiến",
            "Phường Tân Thịnh",
            "Phường Thịnh Lang",
            "Phường Hữu Nghị",
            "Phường Tân Hòa",
            "Phường Chăm Mát",
            "Phường Thái Bình",
            "Phường Thống Nhất",
            "Phường Kỳ Sơn",
            "Phường Trung Minh",
            "Phường Dân Chủ",
            "Xã Sủ Ngòi",
            "Xã Hòa Bình",
            "Xã Yên Mông",
            "Xã Độc Lập",
            "Xã Hợp Thành",
            "Xã Mông Hóa",
            "Xã Quang Tiến",
        ),
    ),
    District(
        "HB.DB",
        "Huyện Đà Bắc",
        0.7,
        (
            "Thị trấn Đà Bắc",
            "Xã Cao Sơn",
            "Xã Đoàn Kết",
            "Xã Đồng Chum",
            "Xã Đồng Ruộng",
            "Xã Giáp Đắt",
            "Xã Hiền Lương",
            "Xã Mường Chiềng",
            "Xã Nánh Nghê",
            "Xã Suối Nánh",
            "Xã Tân Minh",
            "Xã Tân Pheo",
            "Xã Tiền Phong",
            "Xã Toàn Sơn",
            "Xã Trung Thành",
            "Xã Tú Lý",
            "Xã Vầy Nưa",
            "Xã Yên Hòa",
        ),
    ),
    District(
        "HB.LS",
        "Huyện Lương Sơn",
        1.4,
        (
            "Thị trấn Lương Sơn",
            "Xã Cao Dương",
            "Xã Cao Sơn",
            "Xã Cư Yên",
            "Xã Hòa Sơn",
            "Xã Lâm Sơn",
            "Xã Liên Sơn",
            "Xã Nhuận Trạch",
            "Xã Tân Vinh",
            "Xã Thanh Cao",
            "Xã Thanh Sơn",
            "Xã Trường Sơn",
        ),
    ),
    District(
        "HB.KB",
        "Huyện Kim Bôi",
        0.9,
        (
            "Thị trấn Bo",
            "Xã Bình Sơn",
            "Xã Cuối Hạ",
            "Xã Đú Sáng",
            "Xã Hùng Sơn",
            "Xã Kim Bôi",
            "Xã Kim Lập",
            "Xã Mị Hòa",
            "Xã Nam Thượng",
            "Xã Nuông Dăm",
            "Xã Sơn Thủy",
            "Xã Tú Sơn",
            "Xã Vĩnh Tiến",
            "Xã Vĩnh Đồng",
            "Xã Xuân Thủy",
            "Xã Hợp Tiến",
        ),
    ),
    District(
        "HB.CP",
        "Huyện Cao Phong",
        0.6,
        (
            "Thị trấn Cao Phong",
            "Xã Bắc Phong",
            "Xã Bình Thanh",
            "Xã Dũng Phong",
            "Xã Nam Phong",
            "Xã Tân Phong",
            "Xã Thạch Yên",
            "Xã Thu Phong",
            "Xã Thung Nai",
            "Xã Xuân Phong",
        ),
    ),
    District(
        "HB.TL",
        "Huyện Tân Lạc",
        0.8,
        (
            "Thị trấn Mãn Đức",
            "Xã Đông Lai",
            "Xã Gia Mô",
            "Xã Lỗ Sơn",
            "Xã Mỹ Hòa",
            "Xã Ngọc Mỹ",
            "Xã Ngòi Hoa",
            "Xã Nhân Mỹ",
            "Xã Phong Phú",
            "Xã Phú Cường",
            "Xã Phú Vinh",
            "Xã Quyết Chiến",
            "Xã Suối Hoa",
            "Xã Thanh Hối",
            "Xã Tử Nê",
            "Xã Trung Hòa",
        ),
    ),
    District(
        "HB.MC",
        "Huyện Mai Châu",
        0.6,
        (
            "Thị trấn Mai Châu",
            "Xã Bao La",
            "Xã Chiềng Châu",
            "Xã Cun Pheo",
            "Xã Đồng Tân",
            "Xã Hang Kia",
            "Xã Mai Hạ",
            "Xã Mai Hịch",
            "Xã Nà Phòn",
            "Xã Pà Cò",
            "Xã Phúc Sạn",
            "Xã Pù Pin",
            "Xã Săm Khóe",
            "Xã Tân Thành",
            "Xã Tòng Đậu",
            "Xã Vạn Mai",
        ),
    ),
    District(
        "HB.LCS",
        "Huyện Lạc Sơn",
        1.0,
        (
            "Thị trấn Vụ Bản",
            "Xã Ân Nghĩa",
            "Xã Bình Hẻm",
            "Xã Chí Đạo",
            "Xã Định Cư",
            "Xã Miền Đồi",
            "Xã Mỹ Thành",
            "Xã Ngọc Lâu",
            "Xã Ngọc Sơn",
            "Xã Nhân Nghĩa",
            "Xã Quyết Thắng",
            "Xã Tân Lập",
            "Xã Tân Mỹ",
            "Xã Thượng Cốc",
            "Xã Tự Do",
            "Xã Văn Nghĩa",
            "Xã Văn Sơn",
            "Xã Vũ Lâm",
            "Xã Xuất Hóa",
            "Xã Yên Nghiệp",
            "Xã Yên Phú",
        ),
    ),
    District(
        "HB.YT",
        "Huyện Yên Thủy",
        0.7,
        (
            "Thị trấn Hàng Trạm",
            "Xã Bảo Hiệu",
            "Xã Đa Phúc",
            "Xã Hữu Lợi",
            "Xã Lạc Lương",
            "Xã Lạc Sỹ",
            "Xã Lạc Thịnh",
            "Xã Ngọc Lương",
            "Xã Phú Lai",
            "Xã Yên Trị",
            "Xã Đoàn Kết",
        ),
    ),
    District(
        "HB.LT",
        "Huyện Lạc Thủy",
        0.8,
        (
            "Thị trấn Chi Nê",
            "Thị trấn Ba Hàng Đồi",
            "Xã An Bình",
            "Xã Đồng Tâm",
            "Xã Hưng Thi",
            "Xã Khoan Dụ",
            "Xã Phú Nghĩa",
            "Xã Phú Thành",
            "Xã Thống Nhất",
            "Xã Yên Bồng",
            "Xã An Lạc",
        ),
    ),
)

# Communes per district at each scale (``None``: all of the sample above).
COMMUNES_AT_SCALE: dict[str, int | None] = {"small": 2, "province": None}
