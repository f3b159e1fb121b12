"""QR codes for receipts: the ``qrcode`` package finds the modules, this module draws them.

Error correction M (15 %): a thermal print survives a crease or a smudge, and a typical survey URL
still fits version 5-6 (37-41 modules, about 25 mm wide at 203 dpi with 4-dot modules). The drawings
need no imaging library: SVG is one path, PNG is a 1-bit image written with zlib.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import qrcode
import qrcode.constants

QUIET = 4  # modules of white border the standard asks for
MAX_PNG_SIZE = 2048


@dataclass(frozen=True)
class QrMatrix:
    version: int
    modules: list[list[bool]]  # without the quiet zone

    @property
    def width(self) -> int:
        return len(self.modules) + 2 * QUIET


def encode(text: str) -> QrMatrix:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(text, optimize=4)  # upper-case base32 tokens go in alphanumeric mode
    qr.make(fit=True)
    assert qr.version is not None
    return QrMatrix(int(qr.version), [list(map(bool, row)) for row in qr.get_matrix()])


def svg(code: QrMatrix, *, size_mm: float | None = 25.0) -> str:
    """A scalable drawing: one black path on white, crisp at any print size."""
    parts = []
    for y, row in enumerate(code.modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET} {y + QUIET}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    w = code.width
    dims = f' width="{size_mm}mm" height="{size_mm}mm"' if size_mm else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {w}"{dims} shape-rendering="crispEdges"'
        f' role="img" aria-label="QR"><rect width="{w}" height="{w}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )


def png(code: QrMatrix, size: int = 200) -> bytes:
    """A 1-bit PNG at most ``size`` pixels wide, with whole pixels per module (thermal printers want that)."""
    scale = max(1, min(size, MAX_PNG_SIZE) // code.width)
    side = code.width * scale
    blank = [False] * QUIET
    lines = bytearray()
    for row in [[False] * len(code.modules)] * QUIET + code.modules + [[False] * len(code.modules)] * QUIET:
        bits = [b for module in blank + row + blank for b in [module] * scale]
        packed = bytearray(b"\x00")  # filter type: none
        for i in range(0, side, 8):
            byte = 0
            for j, dark in enumerate(bits[i : i + 8]):
                if not dark:  # grey level 1 is white
                    byte |= 0x80 >> j
            packed.append(byte)
        lines += bytes(packed) * scale
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(lines), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
