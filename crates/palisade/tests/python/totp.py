#!/usr/bin/env python3
"""Prints the RFC 6238 codes (HMAC-SHA1, 30-second steps, 6 digits) of a base32 seed, one line
for each step OFFSET steps from now, all from one reading of the clock: the authenticator app a
user would read the codes from.

  totp.py BASE32_SEED [OFFSET ...]
"""
import base64, hashlib, hmac, struct, sys, time

seed = base64.b32decode(sys.argv[1].strip() + "=" * (-len(sys.argv[1].strip()) % 8))
now = int(time.time()) // 30
for step in sys.argv[2:] or ["0"]:
    digest = hmac.new(seed, struct.pack(">Q", now + int(step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    print(f"{code:06d}")
