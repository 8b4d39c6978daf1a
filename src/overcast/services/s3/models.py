"""S3's state and rules: buckets, object versions and delete markers, in SQLite; bytes in the blob store.

Other services use S3 through `inbox.py`, never through this module.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from overcast.platform import Platform
from overcast.services.s3 import errors as e
from overcast.services.s3.blobs import BlobStore, Written

#: AWS's limit for a single PUT and for one part
MAX_PUT = 5 * 1024**3
MAX_KEY_BYTES = 1024
NULL = "null"


@dataclass
class Bucket:
    name: str
    account: str
    region: str
    created_at: float
    versioning: str | None
    settings: dict[str, Any]

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass
class ObjectVersion:
    bucket: str
    key: str
    version_id: str
    seq: int
    is_latest: bool
    delete_marker: bool
    size: int
    etag: str
    last_modified: float
    blob: str | None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def quoted_etag(self) -> str:
        return f'"{self.etag}"'

    @property
    def sequencer(self) -> str:
        return f"{self.seq:016X}"


@dataclass(frozen=True)
class Change:
    """An object created or removed, as notifications see it (inside the write's transaction)."""

    event: str               # "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", ...
    bucket: Bucket
    key: str
    version: ObjectVersion


OnCommit = Callable[[Change], None]


def version_from_row(row: Any) -> ObjectVersion:
    return ObjectVersion(
        row["bucket"], row["key"], row["version_id"], row["seq"], bool(row["is_latest"]),
        bool(row["delete_marker"]), row["size"], row["etag"], row["last_modified"], row["blob"],
        json.loads(row["meta"]),
    )


def new_version_id() -> str:
    return secrets.token_urlsafe(24)


class S3Store:
    """Buckets and objects of one platform (`platform.component(S3Store)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.blobs = BlobStore(platform)
        self._seq = 0
        self.blobs.sweep(self._referenced())

    def _referenced(self) -> set[str]:
        rows = self.db.query("SELECT blob FROM s3_objects WHERE blob IS NOT NULL UNION SELECT blob FROM s3_parts")
        return {r["blob"] for r in rows}

    def next_seq(self) -> int:
        """Increasing across the platform's life: orders versions, and is the events' sequencer."""
        self._seq = max(self._seq + 1, int(self.clock.now() * 1_000_000))
        return self._seq

    def now(self) -> float:
        """S3 keeps object times to the second (Last-Modified, listings' `.000Z`)."""
        return float(int(self.clock.now()))

    # -- buckets ----------------------------------------------------------------------------------

    def find_bucket(self, name: str) -> Bucket | None:
        row = self.db.query_one("SELECT * FROM s3_buckets WHERE name = ?", (name,))
        if row is None:
            return None
        return Bucket(row["name"], row["account"], row["region"], row["created_at"], row["versioning"],
                      json.loads(row["settings"]))

    def bucket(self, name: str) -> Bucket:
        found = self.find_bucket(name)
        if found is None:
            raise e.no_such_bucket(name)
        return found

    def create_bucket(self, name: str, account: str, region: str, settings: dict[str, Any]) -> Bucket:
        existing = self.find_bucket(name)
        if existing is not None:
            # AWS: re-creating your own bucket in us-east-1 succeeds; elsewhere it is an error.
            if existing.account == account and region == "us-east-1" and existing.region == "us-east-1":
                return existing
            if existing.account == account:
                raise e.s3_error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
                                 "succeeded and you already own it.", 409, BucketName=name)
            raise e.s3_error("BucketAlreadyExists", "The requested bucket name is not available. The bucket "
                             "namespace is shared by all users of the system. Please select a different name "
                             "and try again.", 409, BucketName=name)
        now = self.now()
        self.db.execute("INSERT INTO s3_buckets(name, account, region, created_at, settings) VALUES (?, ?, ?, ?, ?)",
                        (name, account, region, now, json.dumps(settings)))
        return Bucket(name, account, region, now, None, settings)

    def delete_bucket(self, name: str) -> None:
        self.bucket(name)
        with self.db.tx():
            if self.db.query_one("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1", (name,)) is not None:
                raise e.s3_error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                                 BucketName=name)
            uploads = [r["upload_id"] for r in self.db.query("SELECT upload_id FROM s3_uploads WHERE bucket = ?",
                                                               (name,))]
            blobs = []
            for upload_id in uploads:
                blobs += [r["blob"] for r in self.db.query("SELECT blob FROM s3_parts WHERE upload_id = ?",
                                                           (upload_id,))]
                self.db.execute("DELETE FROM s3_parts WHERE upload_id = ?", (upload_id,))
            self.db.execute("DELETE FROM s3_uploads WHERE bucket = ?", (name,))
            self.db.execute("DELETE FROM s3_buckets WHERE name = ?", (name,))
        self.blobs.remove(blobs)

    def buckets(self, account: str) -> list[Bucket]:
        rows = self.db.query("SELECT name FROM s3_buckets WHERE account = ? ORDER BY name", (account,))
        return [b for r in rows if (b := self.find_bucket(r["name"])) is not None]

    def update_settings(self, name: str, **changes: Any) -> None:
        """Set (or with None, drop) bucket configuration documents (tagging, notification, policy...)."""
        with self.db.tx():
            bucket = self.bucket(name)
            for key, value in changes.items():
                if value is None:
                    bucket.settings.pop(key, None)
                else:
                    bucket.settings[key] = value
            self.db.execute("UPDATE s3_buckets SET settings = ? WHERE name = ?", (json.dumps(bucket.settings), name))

    def set_versioning(self, name: str, status: str) -> None:
        self.bucket(name)
        self.db.execute("UPDATE s3_buckets SET versioning = ? WHERE name = ?", (status, name))

    # -- objects ----------------------------------------------------------------------------------

    def version(self, bucket: str, key: str, version_id: str | None = None) -> ObjectVersion | None:
        """The latest version (possibly a delete marker) or the given one; None when absent."""
        if version_id is None:
            row = self.db.query_one("SELECT * FROM s3_objects WHERE bucket = ? AND key = ? AND is_latest = 1",
                                    (bucket, key))
        else:
            row = self.db.query_one("SELECT * FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                                    (bucket, key, version_id))
        return version_from_row(row) if row is not None else None

    def readable(self, bucket: Bucket, key: str, version_id: str | None, method: str) -> ObjectVersion:
        """The version a GET/HEAD reads, or S3's error for it (NoSuchKey, NoSuchVersion, delete markers)."""
        if version_id is not None and version_id != NULL and not _valid_version_id(version_id):
            raise e.invalid_version(version_id)
        found = self.version(bucket.name, key, version_id)
        if found is None:
            if version_id is not None:
                raise e.no_such_version(key, version_id)
            raise e.no_such_key(key)
        if found.delete_marker:
            headers = {"x-amz-delete-marker": "true", "x-amz-version-id": found.version_id}
            if version_id is not None:
                headers["Last-Modified"] = _http_date(found.last_modified)
                headers["Allow"] = "DELETE"  # AWS: a delete marker can only be deleted
                raise e.method_not_allowed(method, "DeleteMarker", headers=headers)
            raise e.no_such_key(key, headers=headers)
        return found

    def commit_object(self, bucket: Bucket, key: str, written: Written, etag: str, meta: dict[str, Any],
                      event: str, on_commit: OnCommit | None = None) -> ObjectVersion:
        """Make a stored file the key's newest version; the replaced 'null' version's file goes."""
        garbage: list[str | None] = []
        try:
            with self.db.tx():
                current = self.bucket(bucket.name)
                version_id = new_version_id() if current.versioning == "Enabled" else NULL
                obj = ObjectVersion(bucket.name, key, version_id, self.next_seq(), True, False, written.size, etag,
                                    self.now(), written.name, meta)
                garbage += self._supersede(current, key, version_id)
                self._insert(obj)
                if on_commit is not None:
                    on_commit(Change(event, current, key, obj))
        except BaseException:
            self.blobs.remove([written.name])
            raise
        self.blobs.remove(garbage)
        return obj

    def _supersede(self, bucket: Bucket, key: str, version_id: str) -> list[str | None]:
        """Demote the latest version; drop the existing `null` version when the new one replaces it."""
        garbage: list[str | None] = []
        if version_id == NULL:
            rows = self.db.query("DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ? "
                                 "RETURNING blob", (bucket.name, key, NULL))
            garbage += [r["blob"] for r in rows]
        if bucket.versioning is not None:  # a never-versioned bucket holds only `null` versions
            self.db.execute("UPDATE s3_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1",
                            (bucket.name, key))
        return garbage

    def _insert(self, obj: ObjectVersion) -> None:
        self.db.execute(
            "INSERT INTO s3_objects(bucket, key, version_id, seq, is_latest, delete_marker, size, etag, "
            "last_modified, blob, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (obj.bucket, obj.key, obj.version_id, obj.seq, int(obj.is_latest), int(obj.delete_marker), obj.size,
             obj.etag, obj.last_modified, obj.blob, json.dumps(obj.meta)),
        )

    def update_meta(self, obj: ObjectVersion, meta: dict[str, Any]) -> None:
        self.db.execute("UPDATE s3_objects SET meta = ? WHERE bucket = ? AND key = ? AND version_id = ?",
                        (json.dumps(meta), obj.bucket, obj.key, obj.version_id))

    def delete_object(self, bucket: Bucket, key: str, version_id: str | None,
                      on_commit: OnCommit | None = None) -> ObjectVersion | None:
        """S3's DeleteObject: removes a version, or (versioned, no version id) adds a delete marker.
        Returns what was removed or the marker created (None when there was nothing)."""
        if version_id is not None and version_id != NULL and not _valid_version_id(version_id):
            raise e.invalid_version(version_id)
        garbage: list[str | None] = []
        with self.db.tx():
            current = self.bucket(bucket.name)
            if version_id is not None or current.versioning is None:
                result = self._remove_version(current, key, version_id or NULL, garbage, on_commit)
            else:
                result = self._add_marker(current, key, garbage, on_commit)
        self.blobs.remove(garbage)
        return result

    def _remove_version(self, bucket: Bucket, key: str, version_id: str, garbage: list[str | None],
                        on_commit: OnCommit | None) -> ObjectVersion | None:
        obj = self.version(bucket.name, key, version_id)
        if obj is None:
            return None
        self.db.execute("DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
                        (bucket.name, key, version_id))
        garbage.append(obj.blob)
        if obj.is_latest:
            self.db.execute(
                "UPDATE s3_objects SET is_latest = 1 WHERE bucket = ? AND key = ? AND seq = "
                "(SELECT MAX(seq) FROM s3_objects WHERE bucket = ? AND key = ?)",
                (bucket.name, key, bucket.name, key),
            )
        if on_commit is not None:
            removed = ObjectVersion(**{**obj.__dict__, "seq": self.next_seq()})
            on_commit(Change("ObjectRemoved:Delete", bucket, key, removed))
        return obj

    def _add_marker(self, bucket: Bucket, key: str, garbage: list[str | None],
                    on_commit: OnCommit | None) -> ObjectVersion:
        version_id = new_version_id() if bucket.versioning == "Enabled" else NULL
        garbage += self._supersede(bucket, key, version_id)
        marker = ObjectVersion(bucket.name, key, version_id, self.next_seq(), True, True, 0, "", self.now(), None, {})
        self._insert(marker)
        if on_commit is not None:
            on_commit(Change("ObjectRemoved:DeleteMarkerCreated", bucket, key, marker))
        return marker

    def object_count(self, bucket: str) -> int:
        return int(self.db.scalar("SELECT COUNT(*) FROM s3_objects WHERE bucket = ?", (bucket,)) or 0)


def _valid_version_id(version_id: str) -> bool:
    return 1 <= len(version_id) <= 1024 and all(c.isalnum() or c in "-_." for c in version_id)


def _http_date(epoch: float) -> str:
    from email.utils import formatdate

    return formatdate(epoch, usegmt=True)


#: the object headers S3 stores and answers back (model member names)
CONTENT_MEMBERS = ("ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl",
                   "Expires", "WebsiteRedirectLocation", "StorageClass")


def object_meta(metadata: dict[str, str] | None = None, tags: dict[str, str] | None = None,
                **content: Any) -> dict[str, Any]:
    """An object's stored metadata: content headers (CONTENT_MEMBERS), user metadata, tags, checksums."""
    meta: dict[str, Any] = {k: v for k, v in content.items() if v is not None}
    meta.setdefault("ContentType", "binary/octet-stream")
    if metadata:
        meta["Metadata"] = {k.lower(): v for k, v in metadata.items()}
    if tags:
        meta["Tags"] = tags
    return meta


def check_key(key: str) -> None:
    """AWS: an object key is at most 1024 bytes of UTF-8."""
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise e.s3_error("KeyTooLongError", "Your key is too long", Size=size, MaxSizeAllowed=MAX_KEY_BYTES)
