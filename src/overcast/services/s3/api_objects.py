"""S3 object operations: Put/Get/Head/Delete/DeleteObjects/CopyObject and object tagging."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, unquote

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.protocol.values import snake, to_epoch
from overcast.services.s3 import encryption, object_lock
from overcast.services.s3 import errors as e
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.blobs import Written
from overcast.services.s3.checksums import file_checksum
from overcast.services.s3.conditions import byte_range, check_read, check_write, part_range
from overcast.services.s3.models import (
    CONTENT_MEMBERS,
    MAX_PUT,
    Bucket,
    ObjectVersion,
    check_key,
    object_meta,
)
from overcast.services.s3.storage_classes import check_restored, check_storage_class

MAX_METADATA = 2048
_OVERRIDES = {
    "ResponseContentType": "ContentType", "ResponseContentLanguage": "ContentLanguage",
    "ResponseExpires": "Expires", "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition", "ResponseContentEncoding": "ContentEncoding",
}


def check_tags(tags: dict[str, str], limit: int = 10) -> None:
    """AWS: at most 10 tags on an object (50 on a bucket), keys ≤ 128 and values ≤ 256 characters."""
    if len(tags) > limit:
        raise e.s3_error("BadRequest", f"Object tags cannot be greater than {limit}")
    for key, value in tags.items():
        if not key or len(key) > 128:
            raise e.s3_error("InvalidTag", "The TagKey you have provided is invalid", TagKey=key)
        if len(value) > 256:
            raise e.s3_error("InvalidTag", "The TagValue you have provided is invalid", TagKey=key, TagValue=value)


def tags_from_header(header: str | None) -> dict[str, str]:
    """The `x-amz-tagging` header: URL query encoded (`k1=v1&k2=v2`)."""
    if not header:
        return {}
    tags = dict(parse_qsl(header, keep_blank_values=True))
    check_tags(tags)
    return tags


def tags_from_set(tag_set: list[dict[str, str]], limit: int = 10, *, bucket: bool = False) -> dict[str, str]:
    """Tags of a TagSet; AWS refuses keys with the reserved `aws:` prefix (worded differently for
    buckets and objects)."""
    tags: dict[str, str] = {}
    for tag in tag_set:
        if tag.get("Key") in tags:
            raise e.s3_error("InvalidTag", "Cannot provide multiple Tags with the same key", TagKey=tag.get("Key"))
        if (tag.get("Key") or "").startswith("aws:"):
            raise e.s3_error("InvalidTag", "System tags cannot be added/updated by requester" if bucket
                             else "Your TagKey cannot be prefixed with aws:", TagKey=tag.get("Key"))
        tags[tag.get("Key") or ""] = tag.get("Value") or ""
    check_tags(tags, limit)
    return tags


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def check_metadata(metadata: dict[str, str] | None) -> None:
    size = sum(len(k.encode()) + len(v.encode()) for k, v in (metadata or {}).items())
    if size > MAX_METADATA:
        raise e.s3_error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size",
                         Size=size, MaxSizeAllowed=MAX_METADATA)


def meta_from_params(params: dict[str, Any], tags: dict[str, str], checksums: dict[str, str]) -> dict[str, Any]:
    """An object's stored metadata from PutObject / CreateMultipartUpload / CopyObject(REPLACE) members."""
    content = {name: params.get(snake(name)) for name in CONTENT_MEMBERS}
    if content.get("Expires") is not None:
        content["Expires"] = to_epoch(content["Expires"])
    meta = object_meta(params.get("metadata"), tags, **content)
    if checksums:
        meta["Checksums"] = checksums
        meta["ChecksumType"] = "FULL_OBJECT"
    return meta


def parse_copy_source(copy_source: str) -> tuple[str, str, str | None]:
    path, _, query = copy_source.partition("?")
    version = dict(parse_qsl(query)).get("versionId")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    if not bucket or not key:
        raise e.invalid_argument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                                 "x-amz-copy-source", copy_source)
    return bucket, key, version


class ObjectOperations(ApiBase):
    def check_deletable(self, bucket: Bucket, key: str, version_id: str | None, bypass: bool) -> None:
        """Overridden by the Object Lock operations."""

    # -- writes -----------------------------------------------------------------------------------

    async def put_object(self, ctx: RequestContext, bucket: str, key: str, body: Any = None,
                         **params: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        check_key(key)
        check_metadata(params.get("metadata"))
        check_storage_class(params.get("storage_class"))
        tags = tags_from_header(params.get("tagging"))
        written, checksums = await self.receive(ctx, body, params, MAX_PUT)
        meta = meta_from_params(params, tags, checksums)
        meta["Encryption"] = encryption.settings(self.platform, target, params)
        meta.update(object_lock.new_object_lock(target, params, self.platform.clock.now()))
        obj = self.commit(ctx, target, key, written, written.md5, meta, "ObjectCreated:Put", params)
        out: dict[str, Any] = {"ETag": obj.quoted_etag, **encryption.members(meta),
                               **self.checksum_members(checksums)}
        if checksums:
            out["ChecksumType"] = "FULL_OBJECT"
        return self.with_version(out, target, obj)

    def commit(self, ctx: RequestContext, bucket: Bucket, key: str, written: Written, etag: str,
               meta: dict[str, Any], event: str, params: dict[str, Any]) -> ObjectVersion:
        """Make a received file the key's newest version (checking conditional-write headers first)."""
        if params.get("if_match") is not None or params.get("if_none_match") is not None:
            try:
                check_write(self.store.version(bucket.name, key), key, params.get("if_match"),
                            params.get("if_none_match"))
            except ServiceError:
                self.store.blobs.remove([written.name])
                raise
        return self.store.commit_object(bucket, key, written, etag, meta, event, self.notifier(ctx).on_commit)

    @staticmethod
    def with_version(out: dict[str, Any], bucket: Bucket, obj: ObjectVersion) -> dict[str, Any]:
        if bucket.versioning is not None:
            out["VersionId"] = obj.version_id
        return out

    # -- reads ------------------------------------------------------------------------------------

    def get_object(self, ctx: RequestContext, bucket: str, key: str, **params: Any) -> dict[str, Any]:
        obj, out, start, length = self._read(ctx, "GET", bucket, key, params)
        check_restored(obj, self.platform.clock.now())
        encryption.check_readable(self.platform, obj.meta)
        assert obj.blob is not None
        out["Body"] = self.store.blobs.stream(self.store.blobs.open(obj.blob), start, length)
        return out

    def head_object(self, ctx: RequestContext, bucket: str, key: str, **params: Any) -> dict[str, Any]:
        return self._read(ctx, "HEAD", bucket, key, params)[1]

    def _read(self, ctx: RequestContext, method: str, bucket: str, key: str,
              params: dict[str, Any]) -> tuple[ObjectVersion, dict[str, Any], int, int]:
        source = self.store.bucket(bucket)
        obj = self.store.readable(source, key, params.get("version_id"), method)
        check_read(obj, params.get("if_match"), params.get("if_none_match"), params.get("if_modified_since"),
                   params.get("if_unmodified_since"))
        out = self.describe(source, obj, params.get("checksum_mode"))
        start, end, partial = 0, obj.size - 1, False
        if params.get("part_number") is not None and params.get("range"):
            raise e.invalid_request("Cannot specify both Range header and partNumber query parameter")
        if params.get("part_number") is not None:
            # AWS: a part is always a 206 with Content-Range (an object uploaded in one piece has
            # part 1 only); x-amz-mp-parts-count only for objects made by a multipart upload
            start, end, count = part_range(obj, params["part_number"])
            if obj.meta.get("Parts"):
                out["PartsCount"] = count
            partial = True
        else:
            found = byte_range(params.get("range"), obj.size)
            if found is not None:
                (start, end), partial = found, True
        if partial:
            out["ContentRange"] = f"bytes {start}-{end}/{obj.size}"
            ctx.extras["status"] = 206
            for name in [k for k in out if k.startswith("Checksum")]:
                del out[name]
        out["ContentLength"] = end - start + 1
        for param, name in _OVERRIDES.items():
            if params.get(snake(param)) is not None:
                out[name] = params[snake(param)]
        return obj, out, start, end - start + 1

    def get_object_attributes(self, ctx: RequestContext, bucket: str, key: str, object_attributes: list[str],
                              version_id: str | None = None, **_: Any) -> dict[str, Any]:
        source = self.store.bucket(bucket)
        obj = self.store.readable(source, key, version_id, "GET")
        wanted = set(object_attributes or [])
        out: dict[str, Any] = {"LastModified": obj.last_modified}
        if "ETag" in wanted:
            out["ETag"] = obj.etag
        if "ObjectSize" in wanted:
            out["ObjectSize"] = obj.size
        if "StorageClass" in wanted:
            out["StorageClass"] = obj.meta.get("StorageClass") or "STANDARD"
        if "Checksum" in wanted and obj.meta.get("Checksums"):
            out["Checksum"] = {**self.checksum_members(obj.meta["Checksums"]),
                               "ChecksumType": obj.meta.get("ChecksumType", "FULL_OBJECT")}
        if "ObjectParts" in wanted and obj.meta.get("Parts"):
            out["ObjectParts"] = {"TotalPartsCount": len(obj.meta["Parts"])}
        return self.with_version(out, source, obj)

    # -- deletes ----------------------------------------------------------------------------------

    def delete_object(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                      if_match: str | None = None, bypass_governance_retention: bool | None = None,
                      **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        self.check_deletable(target, key, version_id, bool(bypass_governance_retention))
        if if_match is not None:  # AWS: conditional delete; 404 when there is no object, 412 on another ETag
            current = self.store.version(bucket, key, version_id)
            check_write(None if current is None or current.delete_marker else current, key, if_match, None)
        result = self.store.delete_object(target, key, version_id, self.notifier(ctx).on_commit)
        return self._deleted(target, result, version_id)

    @staticmethod
    def _deleted(bucket: Bucket, result: ObjectVersion | None, version_id: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if result is None:
            return {"VersionId": version_id} if version_id else out
        if bucket.versioning is not None or version_id:
            out["VersionId"] = result.version_id
        if result.delete_marker:
            out["DeleteMarker"] = True
        return out

    def delete_objects(self, ctx: RequestContext, bucket: str, delete: dict[str, Any],
                       bypass_governance_retention: bool | None = None, **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        items = delete.get("Objects") or []
        if not items or len(items) > 1000:
            raise e.malformed_xml()
        notifier = self.notifier(ctx)
        deleted: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for item in items:
            key, version_id = item.get("Key") or "", item.get("VersionId")
            try:
                self.check_deletable(target, key, version_id, bool(bypass_governance_retention))
                result = self.store.delete_object(target, key, version_id, notifier.on_commit)
            except ServiceError as error:
                failed.append({"Key": key, "VersionId": version_id, "Code": error.code, "Message": error.message})
                continue
            entry: dict[str, Any] = {"Key": key}
            out = self._deleted(target, result, version_id)
            if version_id:
                entry["VersionId"] = version_id
            if out.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = out["VersionId"]
            deleted.append(entry)
        return {"Deleted": [] if delete.get("Quiet") else deleted, "Errors": failed}

    # -- copies -----------------------------------------------------------------------------------

    async def copy_object(self, ctx: RequestContext, bucket: str, key: str, copy_source: str,
                          **params: Any) -> dict[str, Any]:
        src_bucket, src_key, src_version = parse_copy_source(copy_source)
        source_bucket = self.store.bucket(src_bucket)
        src = self.store.readable(source_bucket, src_key, src_version, "GET")
        check_restored(src, self.platform.clock.now())
        check_storage_class(params.get("storage_class"))
        check_read(src, params.get("copy_source_if_match"), params.get("copy_source_if_none_match"),
                   params.get("copy_source_if_modified_since"), params.get("copy_source_if_unmodified_since"),
                   prefix="x-amz-copy-source-")
        target = self.store.bucket(bucket)
        check_key(key)
        encryption.check_readable(self.platform, src.meta)  # S3 decrypts an SSE-KMS source to copy it
        meta = self._copied_meta(src, params)
        if (src_bucket, src_key) == (bucket, key) and src_version in (None, src.version_id) \
                and (params.get("metadata_directive") or "COPY") == "COPY" and not _changes_object(params):
            raise e.invalid_request("This copy request is illegal because it is trying to copy an object to itself "
                                    "without changing the object's metadata, storage class, website redirect "
                                    "location or encryption attributes.")
        assert src.blob is not None
        # AWS: the copy gets a checksum of the requested algorithm, or of the source's, computed
        # over the whole copied object (FULL_OBJECT)
        algorithm = (params.get("checksum_algorithm") or "").upper() or next(iter(src.meta.get("Checksums") or {}), "")
        if algorithm:
            written = await self.store.blobs.copy_range(src.blob, 0, src.size)
            meta.pop("Parts", None)
            value = await asyncio.to_thread(file_checksum, str(self.store.blobs.path(written.name)), algorithm)
            if value is not None:
                meta.update(Checksums={algorithm: value}, ChecksumType="FULL_OBJECT")
        elif "-" in src.etag:  # a copy is one part: its ETag is the MD5 of the bytes
            written = await self.store.blobs.copy_range(src.blob, 0, src.size)
            meta.pop("Parts", None)
        else:
            written = Written(self.store.blobs.link(src.blob), src.size, src.etag)
        meta["Encryption"] = encryption.settings(self.platform, target, params)  # a copy is encrypted as the request says
        obj = self.store.commit_object(target, key, written, written.md5, meta, "ObjectCreated:Copy",
                                       self.notifier(ctx).on_commit)
        result: dict[str, Any] = {"ETag": obj.quoted_etag, "LastModified": obj.last_modified}
        if meta.get("Checksums"):
            result.update(self.checksum_members(meta["Checksums"]), ChecksumType=meta.get("ChecksumType", "FULL_OBJECT"))
        out: dict[str, Any] = {"CopyObjectResult": result, **encryption.members(meta)}
        if source_bucket.versioning is not None:
            out["CopySourceVersionId"] = src.version_id
        return self.with_version(out, target, obj)

    @staticmethod
    def _copied_meta(src: ObjectVersion, params: dict[str, Any]) -> dict[str, Any]:
        directive = params.get("metadata_directive") or "COPY"
        tagging = params.get("tagging_directive") or "COPY"
        if directive not in ("COPY", "REPLACE"):
            raise e.invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
        if tagging not in ("COPY", "REPLACE"):
            raise e.invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tagging)
        tags = (src.meta.get("Tags") or {}) if tagging == "COPY" else tags_from_header(params.get("tagging"))
        if directive == "COPY":
            meta = {k: v for k, v in src.meta.items() if k not in ("Tags", "UploadId")}
            if tags:
                meta["Tags"] = tags
        else:
            check_metadata(params.get("metadata"))
            meta = meta_from_params(params, tags, src.meta.get("Checksums") or {})
        if params.get("storage_class"):
            meta["StorageClass"] = params["storage_class"]
        return meta

    # -- tagging ----------------------------------------------------------------------------------

    def _tag_target(self, bucket: str, key: str, version_id: str | None) -> tuple[Bucket, ObjectVersion]:
        target = self.store.bucket(bucket)
        return target, self.store.readable(target, key, version_id, "PUT")

    def put_object_tagging(self, ctx: RequestContext, bucket: str, key: str, tagging: dict[str, Any],
                           version_id: str | None = None, **_: Any) -> dict[str, Any]:
        target, obj = self._tag_target(bucket, key, version_id)
        tags = tags_from_set(tagging.get("TagSet") or [])
        self.store.update_meta(obj, {**obj.meta, "Tags": tags})
        return self.with_version({}, target, obj)

    def get_object_tagging(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                           **_: Any) -> dict[str, Any]:
        target, obj = self._tag_target(bucket, key, version_id)
        return self.with_version({"TagSet": tag_set(obj.meta.get("Tags") or {})}, target, obj)

    def delete_object_tagging(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                              **_: Any) -> dict[str, Any]:
        target, obj = self._tag_target(bucket, key, version_id)
        self.store.update_meta(obj, {k: v for k, v in obj.meta.items() if k != "Tags"})
        return self.with_version({}, target, obj)


def _changes_object(params: dict[str, Any]) -> bool:
    return any(params.get(name) for name in ("storage_class", "website_redirect_location",
                                             "server_side_encryption", "ssekms_key_id"))
