#!/usr/bin/env python3
"""Prints a cache-digest header value's digest (base64url) holding the given absolute URLs, as a
browser's service worker (cache-digest.js) builds it: N = log2 of the URL count rounded up, P = 7,
keys = the first 8 bytes of SHA-256(url) big-endian >> (64 - N - P), sorted, Golomb-Rice coded
after the 5-bit N and 5-bit P.

    cache_digest.py URL...
"""
import base64
import hashlib
import sys

urls = sys.argv[1:]
n = max(0, (len(urls) - 1).bit_length())
p = 7
keys = sorted({int.from_bytes(hashlib.sha256(u.encode()).digest()[:8], "big") >> (64 - n - p) for u in urls})
bits = []


def put(v, width):
    bits.extend((v >> i) & 1 for i in range(width - 1, -1, -1))


put(n, 5)
put(p, 5)
prev = -1
for k in keys:
    d = k - prev - 1
    prev = k
    bits.extend([0] * (d >> p))
    bits.append(1)
    put(d & ((1 << p) - 1), p)
bits.extend([0] * (-len(bits) % 8))
raw = bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))
print(base64.urlsafe_b64encode(raw).rstrip(b"=").decode())
