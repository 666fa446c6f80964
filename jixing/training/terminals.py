"""Registered attendance terminals and the signature of an uploaded row (issue 13).

A terminal's key is 32 random bytes issued by the system and shown once as 64 hexadecimal
characters; only its encryption (core.crypto, purpose ``training.terminal_key``) is stored.
A terminal signs each attendance row it exports: the signature is the lowercase hexadecimal
HMAC-SHA256, under the key's 32 bytes, of the row's cells joined by ``|`` in this order —
class code, ID number (upper case), check-in, check-out (empty if none), method, device ID —
each exactly as written in the file, without surrounding spaces. Changing any cell breaks it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from jixing.core import crypto

KEY_PURPOSE = "training.terminal_key"
SIGNED_FIELDS = ("class_code", "id_number", "check_in", "check_out", "method", "device_id")


def new_key() -> str:
    return secrets.token_hex(32)


def seal(key_hex: str) -> str:
    return crypto.encrypt(key_hex, purpose=KEY_PURPOSE)


def unseal(sealed: str) -> bytes:
    return bytes.fromhex(crypto.decrypt(sealed, purpose=KEY_PURPOSE))


def fingerprint(key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(key_hex)).hexdigest()[:16]


def message(cells: Sequence[str]) -> bytes:
    values = [str(c or "").strip() for c in cells]
    values[1] = values[1].upper()
    return "|".join(values).encode()


def sign(key: bytes, cells: Sequence[str]) -> str:
    return hmac.new(key, message(cells), hashlib.sha256).hexdigest()


def verify(key: bytes, cells: Sequence[str], signature: str) -> bool:
    return hmac.compare_digest(sign(key, cells), (signature or "").strip().lower())
