"""Personal data at rest (SECURITY.md D1): AES-256-GCM encryption and keyed lookup hashes.

Keys live in the environment (settings.JIXING_DATA_KEYS / JIXING_HASH_KEY), never in the
database. Ciphertext is stored as ``<key id>:<base64(nonce + ciphertext)>`` so keys can be
rotated: the first key encrypts, every listed key decrypts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from functools import lru_cache
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    first = ""
    for part in spec.split(","):
        key_id, _, b64 = part.strip().partition(":")
        raw = base64.b64decode(b64)
        if not key_id or len(raw) != 32:
            raise ImproperlyConfigured("JIXING_DATA_KEYS entries must be 'id:base64(32 bytes)'.")
        keys[key_id] = AESGCM(raw)
        first = first or key_id
    return first, keys


@lru_cache(maxsize=2)
def _hash_key(b64: str) -> bytes:
    raw = base64.b64decode(b64)
    if len(raw) < 32:
        raise ImproperlyConfigured("JIXING_HASH_KEY must decode to at least 32 bytes.")
    return raw


def encrypt(plaintext: str, *, purpose: str) -> str:
    """Encrypt text; ``purpose`` is bound as associated data so a phone can't pass as an ID."""
    key_id, keys = _keys(settings.JIXING_DATA_KEYS)
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, purpose: str) -> str:
    _, keys = _keys(settings.JIXING_DATA_KEYS)
    key_id, _, b64 = token.partition(":")
    blob = base64.b64decode(b64)
    return keys[key_id].decrypt(blob[:12], blob[12:], purpose.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash (HMAC-SHA256) for equality lookup and uniqueness without plaintext."""
    key = _hash_key(settings.JIXING_HASH_KEY)
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def generate_data_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


_STREAM_MAGIC = b"JXE1"
_STREAM_CHUNK = 1024 * 1024


def encrypt_stream(source: IO[bytes], target: IO[bytes], *, purpose: str) -> None:
    """Encrypt a file in 1 MiB AES-256-GCM chunks (files too big to seal in one piece).

    Layout: magic, key id, then per chunk a 4-byte length, a 12-byte nonce and the sealed
    chunk. Each chunk's associated data binds the purpose, its index and whether it is the
    last, so chunks cannot be reordered, dropped or the file cut short unnoticed.
    """
    key_id, keys = _keys(settings.JIXING_DATA_KEYS)
    encoded_id = key_id.encode()
    target.write(_STREAM_MAGIC + bytes([len(encoded_id)]) + encoded_id)
    index = 0
    chunk = source.read(_STREAM_CHUNK)
    while True:
        following = source.read(_STREAM_CHUNK)
        last = not following
        nonce = os.urandom(12)
        sealed = keys[key_id].encrypt(nonce, chunk, f"{purpose}\x00{index}\x00{int(last)}".encode())
        target.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(source: IO[bytes], target: IO[bytes], *, purpose: str) -> None:
    """Reverse of ``encrypt_stream``; raises ``ValueError`` on a file altered or cut short."""
    _, keys = _keys(settings.JIXING_DATA_KEYS)
    if source.read(len(_STREAM_MAGIC)) != _STREAM_MAGIC:
        raise ValueError("not an encrypted stream")
    key_id = source.read(source.read(1)[0]).decode()
    index = 0
    while True:
        head = source.read(4)
        if len(head) < 4:
            raise ValueError("encrypted stream cut short")
        (length,) = struct.unpack(">I", head)
        nonce, sealed = source.read(12), source.read(length)
        for last in (False, True):
            try:
                plain = keys[key_id].decrypt(nonce, sealed, f"{purpose}\x00{index}\x00{int(last)}".encode())
            except InvalidTag:
                continue
            target.write(plain)
            if last:
                if source.read(1):
                    raise ValueError("data after the last chunk")
                return
            break
        else:
            raise ValueError("encrypted stream altered")
        index += 1
