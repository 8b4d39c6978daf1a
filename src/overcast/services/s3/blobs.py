"""Object bytes as files under `platform.files_dir/s3`.

A file is named by a random id, never by the object key, so no key (`../../etc/passwd`) can reach
outside the store. Bytes stream in chunk by chunk (hashed and written off the event loop in 1 MiB
batches) to a new file under `objects/`, which is flushed (and fsynced when the platform runs with
`OVERCAST_SQLITE_SYNC=FULL`, matching the database's durability) before the metadata row that names
it commits; a file no row names (a write cut short by a crash) is swept away when the store opens.
Files never change once written: a copy is a hard link, and a file is removed only after the row
that named it is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from overcast.platform import Platform
from overcast.services.s3.checksums import b64, new_hasher
from overcast.services.s3.errors import entity_too_large

log = logging.getLogger("overcast.s3")

#: bytes gathered before a batch is hashed and written on a worker thread
BATCH = 1024 * 1024
#: reads of a GetObject body
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Written:
    """A file the store holds, with what S3 reports about its bytes."""

    name: str
    size: int
    md5: str
    checksums: dict[str, str] = field(default_factory=dict)


class _Sink:
    """One file being written: hashes what it writes."""

    def __init__(self, path: str, algorithms: Iterable[str]) -> None:
        self.path = path
        self.file: IO[bytes] = _create(path)
        self.md5 = hashlib.md5()
        self.hashers = {a: h for a in algorithms if (h := new_hasher(a)) is not None}

    def consume(self, data: bytes) -> None:
        self.md5.update(data)
        for hasher in self.hashers.values():
            hasher.update(data)
        self.file.write(data)

    def finish(self, fsync: bool) -> None:
        self.file.flush()
        if fsync:
            os.fsync(self.file.fileno())
        self.file.close()

    def abort(self) -> None:
        # closing flushes what is buffered, which fails again on a full disk; the file closes anyway
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _create(path: str) -> IO[bytes]:
    """A new file (its directory made on first use, or again after a platform reset removed it)."""
    try:
        return open(path, "xb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return open(path, "xb")


async def _aiter(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data


class BlobStore:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.fsync = platform.config.sync_mode == "FULL"
        self._root = str(platform.files_dir / "s3")

    @property
    def root(self) -> Path:
        return Path(self._root)

    def path(self, name: str) -> Path:
        return Path(self._file(name))

    def _file(self, name: str) -> str:
        return f"{self._root}/objects/{name[:2]}/{name}"

    def _new(self) -> tuple[str, str]:
        name = uuid.uuid4().hex
        return name, self._file(name)

    # -- writing ----------------------------------------------------------------------------------

    async def write(self, source: AsyncIterator[bytes] | bytes, algorithms: Iterable[str] = (),
                    limit: int | None = None) -> Written:
        """Store a stream of bytes; EntityTooLarge past `limit` bytes."""
        chunks = _aiter(source) if isinstance(source, bytes | bytearray) else source
        name, path = self._new()
        sink = _Sink(path, algorithms)
        loop = asyncio.get_running_loop()
        pending: asyncio.Future[None] | None = None
        size = 0
        buf = bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise entity_too_large(size, limit)
                buf += chunk
                if len(buf) >= BATCH:
                    if pending is not None:
                        await pending
                    pending = loop.run_in_executor(None, sink.consume, bytes(buf))
                    buf.clear()
            if pending is not None:
                await pending
                pending = None
            sink.consume(bytes(buf))
            if self.fsync:
                await asyncio.to_thread(sink.finish, True)
            else:
                sink.finish(False)
        except BaseException:
            if pending is not None and not pending.done():
                pending.cancel()
            sink.abort()
            raise
        checksums = {a: b64(h.digest()) for a, h in sink.hashers.items()}
        return Written(name, size, sink.md5.hexdigest(), checksums)

    def link(self, name: str) -> str:
        """A new file name holding the same (immutable) bytes as `name`."""
        new, path = self._new()
        try:
            os.link(self._file(name), path)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.link(self._file(name), path)
        except OSError:
            try:
                shutil.copyfile(self._file(name), path)
            except OSError:  # a full disk: no partial copy is left behind
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                raise
        return new

    async def copy_range(self, name: str, start: int, length: int) -> Written:
        """A new file holding `length` bytes of `name` from `start` (UploadPartCopy with a range)."""
        return await asyncio.to_thread(self._copy_range, name, start, length)

    def _copy_range(self, name: str, start: int, length: int) -> Written:
        new, path = self._new()
        sink = _Sink(path, ())
        try:
            with open(self._file(name), "rb") as src:
                src.seek(start)
                left = length
                while left:
                    data = src.read(min(READ_CHUNK, left))
                    if not data:
                        break
                    sink.consume(data)
                    left -= len(data)
            sink.finish(self.fsync)
        except BaseException:
            sink.abort()
            raise
        return Written(new, length, sink.md5.hexdigest())

    async def concat(self, names: list[str], algorithms: Iterable[str] = ()) -> Written:
        """A new file holding the files `names` one after another (CompleteMultipartUpload)."""
        return await asyncio.to_thread(self._concat, names, tuple(algorithms))

    def _concat(self, names: list[str], algorithms: tuple[str, ...]) -> Written:
        new, path = self._new()
        sink = _Sink(path, algorithms)
        size = 0
        try:
            for name in names:
                with open(self._file(name), "rb") as src:
                    if algorithms:
                        while data := src.read(READ_CHUNK):
                            sink.consume(data)
                            size += len(data)
                    else:
                        sink.file.flush()
                        size += _copy_file(src, sink.file)
            sink.finish(self.fsync)
        except BaseException:
            sink.abort()
            raise
        checksums = {a: b64(h.digest()) for a, h in sink.hashers.items()}
        return Written(new, size, "", checksums)

    # -- reading ----------------------------------------------------------------------------------

    def open(self, name: str) -> IO[bytes]:
        return open(self._file(name), "rb")

    def read(self, name: str) -> bytes:
        with self.open(name) as file:
            return file.read()

    async def stream(self, file: IO[bytes], start: int, length: int) -> AsyncIterator[bytes]:
        """`length` bytes of an open file from `start`, in chunks; closes the file."""
        try:
            file.seek(start)
            left = length
            while left > 0:
                data = file.read(min(READ_CHUNK, left))
                if not data:
                    break
                left -= len(data)
                yield data
        finally:
            file.close()

    # -- removal ----------------------------------------------------------------------------------

    def remove(self, names: Iterable[str | None]) -> None:
        """Delete files whose rows are gone (call after the transaction that dropped them commits)."""
        for name in names:
            if name:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._file(name))

    def sweep(self, referenced: set[str]) -> int:
        """Remove files no row names (partly written, or orphaned by a crash); the count removed."""
        removed = 0
        objects = self.root / "objects"
        if not objects.is_dir():
            return 0
        for sub in objects.iterdir():
            for path in sub.iterdir() if sub.is_dir() else ():
                if path.name not in referenced:
                    path.unlink(missing_ok=True)
                    removed += 1
        if removed:
            log.info("removed %d unreferenced S3 files", removed)
        return removed


def _copy_file(src: IO[bytes], dst: IO[bytes]) -> int:
    """Copy a whole file in the kernel where it can (copy_file_range), else through Python."""
    size = os.fstat(src.fileno()).st_size
    done = 0
    copy_range: Any = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while done < size:
                moved = copy_range(src.fileno(), dst.fileno(), size - done)
                if moved == 0:
                    break
                done += moved
            return done
        except OSError:
            src.seek(done)
    shutil.copyfileobj(src, dst, READ_CHUNK)
    return size
