#!/usr/bin/env python3
"""Draws site/img/tiles.png, the demo site's small PNG (64x64 RGB), with zlib and struct only.

Run from c-examples/ to regenerate it: python3 make_tiles_png.py
"""
import math
import struct
import zlib

W = H = 64


def pixel(x, y):
    # 8x8 tiles; each tile's colour walks around a warm-to-cool palette, with a soft round dot
    tx, ty = x // 8, y // 8
    t = (tx + ty) / 14.0
    r = int(247 - 150 * t)
    g = int(103 + 60 * math.sin(math.pi * t))
    b = int(7 + 190 * t)
    cx, cy = x % 8 - 3.5, y % 8 - 3.5
    if cx * cx + cy * cy < 6.5 and (tx + ty) % 2 == 0:
        r, g, b = (min(255, c + 70) for c in (r, g, b))
    return bytes((r, g, b))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(W)) for y in range(H))
png = (
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(rows, 9))
    + chunk(b"IEND", b"")
)
with open("site/img/tiles.png", "wb") as f:
    f.write(png)
print(f"site/img/tiles.png: {len(png)} bytes")
