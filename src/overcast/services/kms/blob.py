"""Symmetric key cryptography: AES-256-GCM, and the ciphertext blob that carries its key's id.

AWS's ciphertext blob is opaque but self-describing: Decrypt and ReEncrypt of a symmetric
ciphertext need no KeyId because the blob names its KMS key and the key material (rotation) that
made it (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html). overcast's blob,
format 1, is::

    offset  size  field
    0       1     format version, 0x01
    1       36    key id, ASCII (a UUID, or mrk- and 32 hex digits for a multi-Region key)
    37      2     key material version (big-endian; 1 is the original material, +1 per rotation)
    39      12    AES-GCM nonce (random)
    51      n+16  AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag

The first 39 bytes (the header) and the encryption context are the GCM additional authenticated
data: a blob decrypts only under the same key, material and context
(https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html). The context is bound
in a canonical form (JSON, keys sorted, UTF-8), so the order of its pairs does not matter, as on AWS.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
KEY_ID_LENGTH = 36
HEADER = struct.Struct(">B36sH")
NONCE_LENGTH = 12
TAG_LENGTH = 16
#: the smallest blob: header, nonce, tag (an empty plaintext is never encrypted: Encrypt needs 1+ bytes)
MIN_LENGTH = HEADER.size + NONCE_LENGTH + TAG_LENGTH


class BadBlob(Exception):
    """Not a ciphertext this format reads, or it fails authentication (wrong key, material or context)."""


@dataclass(frozen=True)
class Header:
    key_id: str
    material: int


def context_bytes(context: dict[str, str] | None) -> bytes:
    """The canonical encoding of an encryption context (empty for none)."""
    if not context:
        return b""
    return json.dumps(context, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def header(blob: bytes) -> Header:
    """The key id and material version a blob names; `BadBlob` when it is not one of ours."""
    if len(blob) < MIN_LENGTH or blob[0] != VERSION:
        raise BadBlob("not an overcast ciphertext blob")
    _, raw_id, material = HEADER.unpack_from(blob)
    try:
        key_id = raw_id.decode("ascii")
    except UnicodeDecodeError:
        raise BadBlob("bad key id") from None
    return Header(key_id, material)


def seal(key_id: str, material: int, secret: bytes, plaintext: bytes, context: dict[str, str] | None) -> bytes:
    """Encrypt `plaintext` under `secret` (the key's 32-byte material) into a blob."""
    head = HEADER.pack(VERSION, key_id.encode("ascii").ljust(KEY_ID_LENGTH)[:KEY_ID_LENGTH], material)
    nonce = os.urandom(NONCE_LENGTH)
    return head + nonce + AESGCM(secret).encrypt(nonce, plaintext, head + context_bytes(context))


def open_blob(blob: bytes, secret: bytes, context: dict[str, str] | None) -> bytes:
    """The plaintext of a blob sealed under `secret` with this context; `BadBlob` otherwise."""
    head = blob[:HEADER.size]
    nonce = blob[HEADER.size:HEADER.size + NONCE_LENGTH]
    try:
        return AESGCM(secret).decrypt(nonce, blob[HEADER.size + NONCE_LENGTH:], head + context_bytes(context))
    except InvalidTag:
        raise BadBlob("authentication failed") from None
