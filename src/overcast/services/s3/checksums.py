"""The integrity checks S3 accepts: Content-MD5 and the flexible checksums (`x-amz-checksum-crc32`,
`-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`, `-sha512`, `-md5`, `-xxhash*`), each a base64 digest of the
object's bytes.

CRC32, SHA-1, SHA-256, SHA-512 and MD5 come from the standard library; CRC32C and CRC64NVME need
`awscrt` (or the `crc32c` package). Without them (and for the xxhash family) a client's value is
stored and answered back unverified.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from typing import Any

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128")


def member(algorithm: str) -> str:
    """The model member / storage name of an algorithm's value (`ChecksumCRC32`)."""
    return f"Checksum{algorithm.upper()}"


def header(algorithm: str) -> str:
    return f"x-amz-checksum-{algorithm.lower()}"


class _Crc:
    def __init__(self, fn: Callable[[bytes, int], int], width: int) -> None:
        self._fn = fn
        self._value = 0
        self._bytes = width // 8

    def update(self, data: bytes) -> None:
        self._value = self._fn(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._bytes, "big")


def _crc32c_fn() -> Callable[[bytes, int], int] | None:
    try:
        from awscrt import checksums  # type: ignore[import-not-found]

        return lambda data, value: checksums.crc32c(data, value)
    except ImportError:
        pass
    try:
        import crc32c  # type: ignore[import-not-found]

        return lambda data, value: crc32c.crc32c(data, value)
    except ImportError:
        return None


def _crc64_fn() -> Callable[[bytes, int], int] | None:
    try:
        from awscrt import checksums

        return lambda data, value: checksums.crc64nvme(data, value)
    except ImportError:
        return None


def new_hasher(algorithm: str) -> Any | None:
    """An object with update()/digest() for `algorithm`, or None when it cannot be computed here."""
    algorithm = algorithm.upper()
    if algorithm == "CRC32":
        return _Crc(lambda data, value: zlib.crc32(data, value), 32)
    if algorithm == "SHA1":
        return hashlib.sha1()
    if algorithm == "SHA256":
        return hashlib.sha256()
    if algorithm == "SHA512":
        return hashlib.sha512()
    if algorithm == "MD5":
        return hashlib.md5()
    if algorithm == "CRC32C":
        fn = _crc32c_fn()
        return _Crc(fn, 32) if fn else None
    if algorithm == "CRC64NVME":
        fn64 = _crc64_fn()
        return _Crc(fn64, 64) if fn64 else None
    return None


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def composite(algorithm: str, part_values: list[str]) -> str | None:
    """S3's checksum of a multipart object: the checksum of the parts' binary checksums, `-N`."""
    hasher = new_hasher(algorithm)
    if hasher is None:
        return None
    try:
        for value in part_values:
            hasher.update(base64.b64decode(value))
    except ValueError:
        return None
    return f"{b64(hasher.digest())}-{len(part_values)}"


def multipart_etag(part_etags: list[str]) -> str:
    """S3's ETag of a multipart object: MD5 of the parts' binary MD5s, then `-N`."""
    md5 = hashlib.md5()
    for etag in part_etags:
        md5.update(bytes.fromhex(etag.strip('"')))
    return f"{md5.hexdigest()}-{len(part_etags)}"


def file_checksum(path: str, algorithm: str) -> str | None:
    """The base64 checksum of a whole file (None for an algorithm this platform cannot compute)."""
    hasher = new_hasher(algorithm)
    if hasher is None:
        return None
    with open(path, "rb") as file:
        while chunk := file.read(1024 * 1024):
            hasher.update(chunk)
    return base64.b64encode(hasher.digest()).decode()
