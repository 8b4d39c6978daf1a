"""S3 multipart upload operations."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.protocol.values import snake
from overcast.services.s3 import encryption
from overcast.services.s3 import errors as e
from overcast.services.s3.api_objects import (
    ObjectOperations,
    check_metadata,
    meta_from_params,
    parse_copy_source,
    tags_from_header,
)
from overcast.services.s3.blobs import Written
from overcast.services.s3.checksums import composite, member, multipart_etag
from overcast.services.s3.conditions import byte_range, check_read, check_write
from overcast.services.s3.listing import check_argument
from overcast.services.s3.models import MAX_PUT, Bucket, Change, ObjectVersion, check_key
from overcast.services.s3.multipart import MAX_PARTS, MIN_PART, Multipart, Part, Upload


def _check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PARTS:
        raise e.invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                                 number)


class MultipartOperations(ObjectOperations):
    @property
    def multipart(self) -> Multipart:
        return self.platform.component(Multipart)

    def create_multipart_upload(self, ctx: RequestContext, bucket: str, key: str, **params: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        check_key(key)
        check_metadata(params.get("metadata"))
        meta = meta_from_params(params, tags_from_header(params.get("tagging")), {})
        meta["Encryption"] = encryption.settings(self.platform, target, params)
        algorithm = (params.get("checksum_algorithm") or "").upper() or None
        if algorithm:
            meta["ChecksumAlgorithm"] = algorithm
            meta["ChecksumType"] = params.get("checksum_type") or "COMPOSITE"
        upload = self.multipart.create(bucket, key, meta)
        out = {"Bucket": bucket, "Key": key, "UploadId": upload.upload_id, **encryption.members(meta)}
        if algorithm:
            out.update(ChecksumAlgorithm=algorithm, ChecksumType=meta["ChecksumType"])
        return out

    async def upload_part(self, ctx: RequestContext, bucket: str, key: str, upload_id: str, part_number: int,
                          body: Any = None, **params: Any) -> dict[str, Any]:
        self.store.bucket(bucket)
        upload = self.multipart.get(bucket, key, upload_id)
        _check_part_number(part_number)
        if upload.meta.get("ChecksumAlgorithm"):
            params.setdefault("checksum_algorithm", upload.meta["ChecksumAlgorithm"])
        written, checksums = await self.receive(ctx, body, params, MAX_PUT)
        part = self.multipart.put_part(upload, part_number, written, checksums)
        return {"ETag": f'"{part.etag}"', **encryption.members(upload.meta), **self.checksum_members(checksums)}

    async def upload_part_copy(self, ctx: RequestContext, bucket: str, key: str, upload_id: str, part_number: int,
                               copy_source: str, copy_source_range: str | None = None,
                               **params: Any) -> dict[str, Any]:
        self.store.bucket(bucket)
        upload = self.multipart.get(bucket, key, upload_id)
        _check_part_number(part_number)
        src_bucket, src_key, src_version = parse_copy_source(copy_source)
        source_bucket = self.store.bucket(src_bucket)
        src = self.store.readable(source_bucket, src_key, src_version, "GET")
        check_read(src, params.get("copy_source_if_match"), params.get("copy_source_if_none_match"),
                   params.get("copy_source_if_modified_since"), params.get("copy_source_if_unmodified_since"),
                   prefix="x-amz-copy-source-")
        assert src.blob is not None
        span = byte_range(copy_source_range, src.size) if copy_source_range else None
        if copy_source_range and span is None:
            raise e.invalid_argument("The x-amz-copy-source-range value must be of the form bytes=first-last where "
                                     "first and last are the zero-based offsets of the first and last bytes to "
                                     "copy", "x-amz-copy-source-range", copy_source_range)
        if span is None and "-" not in src.etag:
            written = Written(self.store.blobs.link(src.blob), src.size, src.etag)
        else:
            start, end = span or (0, src.size - 1)
            written = await self.store.blobs.copy_range(src.blob, start, end - start + 1)
        part = self.multipart.put_part(upload, part_number, written, {})
        out: dict[str, Any] = {"CopyPartResult": {"ETag": f'"{part.etag}"', "LastModified": part.last_modified}}
        if source_bucket.versioning is not None:
            out["CopySourceVersionId"] = src.version_id
        return out

    async def complete_multipart_upload(self, ctx: RequestContext, bucket: str, key: str,
                                        upload_id: str | None = None,
                                        multipart_upload: dict[str, Any] | None = None,
                                        **params: Any) -> dict[str, Any]:
        if upload_id is None:
            # POST on an object with no subresource is no operation: S3 answers 405 (only ?uploads,
            # ?uploadId, ?restore and ?select take POST on an object; browser forms POST to the bucket)
            raise e.method_not_allowed("POST", "OBJECT")
        target = self.store.bucket(bucket)
        try:
            upload = self.multipart.get(bucket, key, upload_id)
        except ServiceError:
            done = self._completed(ctx, target, key, upload_id)
            if done is None:
                raise
            return done
        parts = self._chosen_parts(upload, (multipart_upload or {}).get("Parts") or [])
        algorithm: str = upload.meta.get("ChecksumAlgorithm") or ""
        full_object = bool(algorithm) and upload.meta.get("ChecksumType") == "FULL_OBJECT"
        written = await self.store.blobs.concat([p.blob for p in parts], [algorithm] if full_object else [])
        meta = {k: v for k, v in upload.meta.items() if k not in ("ChecksumAlgorithm", "ChecksumType")}
        meta["Parts"] = [p.size for p in parts]
        meta["UploadId"] = upload_id
        checksum = self._checksum(algorithm, full_object, parts, written)
        expected = params.get(snake(member(algorithm))) if algorithm else None
        if expected and checksum and expected != checksum:
            self.store.blobs.remove([written.name])
            raise e.bad_digest(algorithm, expected, checksum)
        if checksum:
            meta["Checksums"] = {algorithm: checksum}
            meta["ChecksumType"] = "FULL_OBJECT" if full_object else "COMPOSITE"
        notifier = self.notifier(ctx)
        garbage: list[str] = []

        def on_commit(change: Change) -> None:
            garbage.extend(self.multipart.drop(upload))
            notifier.on_commit(change)

        try:
            check_write(self.store.version(bucket, key), key, params.get("if_match"), params.get("if_none_match"))
        except Exception:
            self.store.blobs.remove([written.name])
            raise
        etag = multipart_etag([p.etag for p in parts])
        obj = self.store.commit_object(target, key, written, etag, meta, "ObjectCreated:CompleteMultipartUpload",
                                       on_commit)
        self.store.blobs.remove(garbage)
        return self._completion(ctx, target, obj)

    def _completion(self, ctx: RequestContext, target: Bucket, obj: ObjectVersion) -> dict[str, Any]:
        out: dict[str, Any] = {"Location": f"{ctx.endpoint}/{target.name}/{quote(obj.key)}", "Bucket": target.name,
                               "Key": obj.key, "ETag": obj.quoted_etag, **encryption.members(obj.meta)}
        for alg, value in (obj.meta.get("Checksums") or {}).items():
            out[member(alg)] = value
            out["ChecksumType"] = obj.meta.get("ChecksumType", "COMPOSITE")
        return self.with_version(out, target, obj)

    def _completed(self, ctx: RequestContext, target: Bucket, key: str, upload_id: str) -> dict[str, Any] | None:
        """AWS: CompleteMultipartUpload is idempotent: repeating it for an upload that completed
        answers the same result, while the object it made is still the key's current version."""
        current = self.store.version(target.name, key)
        if current is None or current.delete_marker or current.meta.get("UploadId") != upload_id:
            return None
        return self._completion(ctx, target, current)

    def _chosen_parts(self, upload: Upload, requested: list[dict[str, Any]]) -> list[Part]:
        """The parts CompleteMultipartUpload names, checked the way S3 checks them."""
        if not requested:
            raise e.malformed_xml()
        stored = {p.number: p for p in self.multipart.parts(upload.upload_id)}
        numbers = [item.get("PartNumber") or 0 for item in requested]
        if any(b <= a for a, b in itertools.pairwise(numbers)):
            raise e.s3_error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be "
                             "ordered by part number.", UploadId=upload.upload_id)
        chosen: list[Part] = []
        for item in requested:
            part = stored.get(item.get("PartNumber") or 0)
            etag = (item.get("ETag") or "").strip('"')
            if part is None or etag != part.etag or not _checksums_agree(item, part):
                raise e.s3_error("InvalidPart", "One or more of the specified parts could not be found.  The part "
                                 "may not have been uploaded, or the specified entity tag may not match the part's "
                                 "entity tag.", UploadId=upload.upload_id, PartNumber=item.get("PartNumber"),
                                 ETag=item.get("ETag"))
            chosen.append(part)
        for part in chosen[:-1]:
            if part.size < MIN_PART:
                raise e.s3_error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                                 ProposedSize=part.size, MinSizeAllowed=MIN_PART, PartNumber=part.number,
                                 ETag=part.etag)
        return chosen

    @staticmethod
    def _checksum(algorithm: str, full_object: bool, parts: list[Part], written: Written) -> str | None:
        if not algorithm:
            return None
        if full_object:
            return written.checksums.get(algorithm)
        values = [p.checksums.get(algorithm) for p in parts]
        if not all(values):
            return None
        return composite(algorithm, [v for v in values if v])

    def abort_multipart_upload(self, ctx: RequestContext, bucket: str, key: str, upload_id: str,
                               **_: Any) -> dict[str, Any]:
        self.store.bucket(bucket)
        self.multipart.abort(self.multipart.get(bucket, key, upload_id))
        return {}

    def list_parts(self, ctx: RequestContext, bucket: str, key: str, upload_id: str, max_parts: int | None = None,
                   part_number_marker: int | None = None, **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        upload = self.multipart.get(bucket, key, upload_id)
        limit = check_argument("max-parts", max_parts, 1000)
        marker = check_argument("part-number-marker", part_number_marker, 0, cap=False)
        found = self.multipart.parts(upload_id, marker, limit + 1) if limit else []
        shown = found[:limit]
        # AWS: NextPartNumberMarker is the last part listed (0 when none is), truncated or not
        out: dict[str, Any] = {
            "Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumberMarker": marker,
            "NextPartNumberMarker": shown[-1].number if shown else 0, "MaxParts": limit,
            "IsTruncated": len(found) > limit, "StorageClass": upload.meta.get("StorageClass") or "STANDARD",
            "Initiator": self.owner(target.account), "Owner": self.owner(target.account),
            "Parts": [{"PartNumber": p.number, "LastModified": p.last_modified, "ETag": f'"{p.etag}"',
                       "Size": p.size, **self.checksum_members(p.checksums)} for p in shown],
        }
        if upload.meta.get("ChecksumAlgorithm"):
            out.update(ChecksumAlgorithm=upload.meta["ChecksumAlgorithm"], ChecksumType=upload.meta["ChecksumType"])
        return out

    def list_multipart_uploads(self, ctx: RequestContext, bucket: str, prefix: str | None = None,
                               delimiter: str | None = None, key_marker: str | None = None,
                               upload_id_marker: str | None = None, max_uploads: int | None = None,
                               **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        limit = check_argument("max-uploads", max_uploads, 1000)
        entries: list[tuple[str, Any]] = []
        rolled: set[str] = set()
        for upload in _after_markers(self.multipart.uploads(bucket, prefix or ""), key_marker, upload_id_marker):
            cut = upload.key.find(delimiter, len(prefix or "")) if delimiter else -1
            if cut >= 0:
                common = upload.key[: cut + len(delimiter or "")]
                if common not in rolled and (not key_marker or common > key_marker):
                    rolled.add(common)
                    entries.append(("prefix", common))
                continue
            entries.append(("upload", upload))
        page = entries[:limit]
        # AWS: NextKeyMarker/NextUploadIdMarker name the page's last upload ("" when it has none),
        # whether or not the listing is truncated
        last = next((u for kind, u in reversed(page) if kind == "upload"), None)
        return {
            "Bucket": bucket, "KeyMarker": key_marker or "", "UploadIdMarker": upload_id_marker or "",
            "NextKeyMarker": last.key if last else "", "NextUploadIdMarker": last.upload_id if last else "",
            "MaxUploads": limit, "IsTruncated": len(entries) > limit, "Prefix": prefix, "Delimiter": delimiter or None,
            "Uploads": [self._upload_entry(u, target.account) for kind, u in page if kind == "upload"],
            "CommonPrefixes": [{"Prefix": p} for kind, p in page if kind == "prefix"],
        }

    def _upload_entry(self, upload: Upload, account: str) -> dict[str, Any]:
        entry = {"UploadId": upload.upload_id, "Key": upload.key, "Initiated": upload.initiated,
                 "StorageClass": "STANDARD", "Owner": self.owner(account), "Initiator": self.owner(account)}
        if upload.meta.get("ChecksumAlgorithm"):
            entry.update(ChecksumAlgorithm=upload.meta["ChecksumAlgorithm"], ChecksumType=upload.meta["ChecksumType"])
        return entry


def _after_markers(uploads: list[Upload], key_marker: str | None, upload_id_marker: str | None) -> list[Upload]:
    """Uploads after the markers, in S3's order (key, then initiation). AWS: without a key marker the
    upload-id marker is ignored; with one, it must be an upload of that key ("Invalid uploadId marker")."""
    if not key_marker:
        return uploads
    if not upload_id_marker:
        return [u for u in uploads if u.key > key_marker]
    same = [u.upload_id for u in uploads if u.key == key_marker]
    if upload_id_marker not in same:
        raise e.invalid_argument("Invalid uploadId marker", "upload-id-marker", upload_id_marker)
    skip = set(same[: same.index(upload_id_marker) + 1])
    return [u for u in uploads if u.key > key_marker or (u.key == key_marker and u.upload_id not in skip)]


def _checksums_agree(item: dict[str, Any], part: Part) -> bool:
    for algorithm, value in part.checksums.items():
        given = item.get(member(algorithm))
        if given is not None and given != value:
            return False
    return True
