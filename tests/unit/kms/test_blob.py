"""The symmetric ciphertext blob's documented layout (docs/kms.md): version, key id, material version,
nonce, AES-256-GCM ciphertext and tag, with the header and the encryption context authenticated."""

from __future__ import annotations

import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from overcast.services.kms import blob

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def test_layout_matches_the_documented_format():
    secret = os.urandom(32)
    sealed = blob.seal(KEY_ID, 3, secret, b"plaintext", {"b": "2", "a": "1"})
    assert sealed[0] == 1
    assert sealed[1:37] == KEY_ID.encode()
    assert struct.unpack(">H", sealed[37:39]) == (3,)
    assert len(sealed) == 1 + 36 + 2 + 12 + len(b"plaintext") + 16
    # decryptable with nothing but the format: the header and the canonical context are the AAD
    aad = sealed[:39] + b'{"a":"1","b":"2"}'
    assert AESGCM(secret).decrypt(sealed[39:51], sealed[51:], aad) == b"plaintext"
    assert blob.header(sealed) == blob.Header(KEY_ID, 3)


def test_a_changed_header_or_context_does_not_open():
    secret = os.urandom(32)
    sealed = blob.seal(f"mrk-{'a' * 32}", 1, secret, b"x", None)
    assert blob.open_blob(sealed, secret, None) == b"x"
    assert blob.open_blob(sealed, secret, {}) == b"x"  # an empty context is no context
    moved = sealed[:37] + struct.pack(">H", 2) + sealed[39:]
    for bad, context in ((moved, None), (sealed, {"k": "v"})):
        with pytest.raises(blob.BadBlob):
            blob.open_blob(bad, secret, context)
    with pytest.raises(blob.BadBlob):
        blob.header(b"\x02" + sealed[1:])
    with pytest.raises(blob.BadBlob):
        blob.header(sealed[:40])
