"""Multipart uploads: an upload's row and its parts (each part a file in the blob store)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from overcast.services.s3 import errors as e
from overcast.services.s3.blobs import Written
from overcast.services.s3.models import S3Store

#: AWS: every part but the last is at least 5 MiB; at most 10,000 parts
MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10_000


@dataclass
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: float
    meta: dict[str, Any]


@dataclass
class Part:
    number: int
    size: int
    etag: str
    last_modified: float
    blob: str
    checksums: dict[str, str]


def _upload(row: Any) -> Upload:
    return Upload(row["upload_id"], row["bucket"], row["key"], row["initiated"], json.loads(row["meta"]))


def _part(row: Any) -> Part:
    return Part(row["part_number"], row["size"], row["etag"], row["last_modified"], row["blob"],
                json.loads(row["checksums"]))


class Multipart:
    """Uploads and parts of one platform's S3 (`platform.component(Multipart)`)."""

    def __init__(self, platform: Any) -> None:
        self.store = platform.component(S3Store)
        self.db = platform.db

    def create(self, bucket: str, key: str, meta: dict[str, Any]) -> Upload:
        upload = Upload(secrets.token_urlsafe(48), bucket, key, self.store.now(), meta)
        self.db.execute("INSERT INTO s3_uploads(upload_id, bucket, key, initiated, meta) VALUES (?, ?, ?, ?, ?)",
                        (upload.upload_id, bucket, key, upload.initiated, json.dumps(meta)))
        return upload

    def get(self, bucket: str, key: str, upload_id: str) -> Upload:
        row = self.db.query_one("SELECT * FROM s3_uploads WHERE upload_id = ? AND bucket = ? AND key = ?",
                                (upload_id, bucket, key))
        if row is None:
            raise e.no_such_upload(upload_id)
        return _upload(row)

    def uploads(self, bucket: str, prefix: str) -> list[Upload]:
        rows = self.db.query("SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated, rowid", (bucket,))
        return [_upload(r) for r in rows if r["key"].startswith(prefix)]

    def put_part(self, upload: Upload, number: int, written: Written, checksums: dict[str, str]) -> Part:
        """Store a part (replacing an earlier one with the same number)."""
        part = Part(number, written.size, written.md5, self.store.now(), written.name, checksums)
        old: list[str | None] = []
        try:
            with self.db.tx():
                self.get(upload.bucket, upload.key, upload.upload_id)
                row = self.db.query_one("SELECT blob FROM s3_parts WHERE upload_id = ? AND part_number = ?",
                                        (upload.upload_id, number))
                if row is not None:
                    old.append(row["blob"])
                self.db.execute(
                    "INSERT OR REPLACE INTO s3_parts(upload_id, part_number, size, etag, last_modified, blob, "
                    "checksums) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (upload.upload_id, number, part.size, part.etag, part.last_modified, part.blob,
                     json.dumps(checksums)),
                )
        except BaseException:
            self.store.blobs.remove([written.name])
            raise
        self.store.blobs.remove(old)
        return part

    def parts(self, upload_id: str, after: int = 0, limit: int = MAX_PARTS + 1) -> list[Part]:
        rows = self.db.query("SELECT * FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number "
                             "LIMIT ?", (upload_id, after, limit))
        return [_part(r) for r in rows]

    def drop(self, upload: Upload) -> list[str]:
        """Delete an upload's rows (inside the caller's transaction); returns its part files to remove
        once that commits. NoSuchUpload when it is already gone (completed or aborted meanwhile)."""
        self.get(upload.bucket, upload.key, upload.upload_id)
        blobs = [p.blob for p in self.parts(upload.upload_id)]
        self.db.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload.upload_id,))
        self.db.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload.upload_id,))
        return blobs

    def abort(self, upload: Upload) -> None:
        with self.db.tx():
            blobs = self.drop(upload)
        self.store.blobs.remove(blobs)
