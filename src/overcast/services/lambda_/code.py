"""Function and layer code: zip archives stored by content, extracted once, safely.

An archive is kept as `<files>/lambda/code/<sha256-hex>.zip` and extracted to the folder of the same
name. Extraction refuses entries that would land outside that folder (zip slip: `../x`, absolute
paths) and symbolic links pointing out of it, and enforces Lambda's size quotas.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import LambdaError
from overcast.storage.full import is_storage_full

#: The magic bucket of hot reload: `Code={"S3Bucket": "hot-reload", "S3Key": "/abs/folder"}` runs the
#: function (or layer) from that folder as it is now (docs/hot-reload.md); `__local__` is its older name.
HOT_RELOAD_BUCKETS = ("hot-reload", "__local__")
#: CodeSha256 of hot-reload code, as local clouds report it (AWS tools skip code download on it)
HOT_RELOAD_SHA = "hot-reloading-hash-not-available"

ZIPPED_LIMIT = 52_428_800          # 50 MB, direct upload (CodeSizeZipped)
UNZIPPED_LIMIT = 262_144_000       # 250 MB (CodeSizeUnzipped)


@dataclass(frozen=True)
class StoredCode:
    sha_hex: str
    size: int            # zipped bytes
    folder: Path

    @property
    def sha256_b64(self) -> str:
        return base64.b64encode(bytes.fromhex(self.sha_hex)).decode()


class CodeStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, sha_hex: str) -> tuple[Path, Path]:
        base = self.root / "lambda" / "code"
        return base / f"{sha_hex}.zip", base / sha_hex

    def put(self, archive: bytes, operation: str = "CreateFunction", direct: bool = True) -> StoredCode:
        """Store and extract a zip archive (idempotent: same bytes, same folder). A `direct` upload
        (ZipFile) has AWS's 50 MB zipped quota; code from S3 only the unzipped one."""
        if direct and len(archive) > ZIPPED_LIMIT:
            raise error("zipped_too_large", limit=ZIPPED_LIMIT)
        sha_hex = hashlib.sha256(archive).hexdigest()
        zip_path, folder = self._paths(sha_hex)
        # Calls run in threads, and functions sharing one archive (a CDK app's asset) are created at the
        # same time: each step tolerates another thread doing it first with the same bytes.
        if not folder.is_dir():
            _extract(archive, folder)
        if not zip_path.exists():
            fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=zip_path.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(archive)
                os.replace(tmp, zip_path)
            except OSError:  # a full disk: no partial upload is left behind
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
        return StoredCode(sha_hex, len(archive), folder)

    def get(self, sha_hex: str) -> StoredCode | None:
        zip_path, folder = self._paths(sha_hex)
        if not folder.is_dir() or not zip_path.exists():
            return None
        return StoredCode(sha_hex, zip_path.stat().st_size, folder)

    def archive(self, sha_hex: str) -> bytes | None:
        zip_path, _ = self._paths(sha_hex)
        return zip_path.read_bytes() if zip_path.exists() else None


def hot_reload_folder(code: dict[str, object]) -> str | None:
    """The folder hot-reload code runs from, or None when `code` names no magic bucket."""
    if code.get("S3Bucket") not in HOT_RELOAD_BUCKETS:
        return None
    key = str(code.get("S3Key") or "")
    if not os.path.isabs(key):
        raise error("hot_reload_path", folder=key, reason="is not an absolute path")
    folder = os.path.normpath(key)
    if not os.path.isdir(folder):
        raise error("hot_reload_path", folder=key, reason="is not a folder")
    return folder


def _bad_zip() -> LambdaError:
    return error("bad_zip")


def _extract(archive: bytes, folder: Path) -> None:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
        members = bundle.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _bad_zip() from None
    if sum(m.file_size for m in members) > UNZIPPED_LIMIT:
        raise error("unzipped_too_large", limit=UNZIPPED_LIMIT)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=folder.parent))
    root = staging.resolve()
    try:
        for member in members:
            _extract_member(bundle, member, root)
        _move_into_place(staging, folder)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        if is_storage_full(exc):
            raise  # not the archive's fault: the caller gets the service's 5xx, as for any full disk
        raise _bad_zip() from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _move_into_place(staging: Path, folder: Path) -> None:
    try:
        os.replace(staging, folder)
    except OSError:
        if not folder.is_dir():  # else another thread extracted the same archive first: it is there
            raise


def _inside(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def _extract_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, root: Path) -> None:
    name = member.filename.replace("\\", "/")
    target = (root / name).resolve()
    if name.startswith("/") or not _inside(root, target):
        raise error("zip_entry_escapes", entry=repr(member.filename))
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        link = bundle.read(member).decode()
        resolved = (target.parent / link).resolve()
        if os.path.isabs(link) or not _inside(root, resolved):
            raise error("zip_link_escapes", entry=repr(member.filename))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(link, target)
        return
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with bundle.open(member) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    permissions = mode & 0o777
    os.chmod(target, permissions | 0o644 if permissions else 0o644)
