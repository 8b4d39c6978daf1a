"""S3 listings: ListObjects, ListObjectsV2, ListObjectVersions (with `EncodingType=url`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.listing import check_max_keys, make_token, page, read_token, walk
from overcast.services.s3.models import ObjectVersion
from overcast.services.s3.notifications import iso_ms


def _encoder(encoding_type: str | None) -> Any:
    """S3 URL-encodes keys and prefixes in listings when asked (boto3 always asks, and decodes)."""
    if encoding_type is None:
        return lambda value: value
    if encoding_type != "url":
        raise e.invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", encoding_type)
    return lambda value: None if value is None else quote(value, safe="/")


class ListingOperations(ApiBase):
    def _entry(self, obj: ObjectVersion, encode: Any, owner: dict[str, str] | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Key": encode(obj.key), "LastModified": iso_ms(obj.last_modified), "ETag": obj.quoted_etag,
            "Size": obj.size, "StorageClass": obj.meta.get("StorageClass") or "STANDARD",
        }
        if obj.meta.get("Checksums"):
            entry["ChecksumAlgorithm"] = list(obj.meta["Checksums"])
            entry["ChecksumType"] = obj.meta.get("ChecksumType", "FULL_OBJECT")
        if owner is not None:
            entry["Owner"] = owner
        return entry

    def list_objects(self, ctx: RequestContext, bucket: str, prefix: str | None = None,
                     delimiter: str | None = None, marker: str | None = None, max_keys: int | None = None,
                     encoding_type: str | None = None, **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        encode = _encoder(encoding_type)
        limit = check_max_keys(max_keys)
        result = page(walk(self.store, bucket, prefix or "", delimiter or "", marker or ""), limit)
        owner = self.owner(found.account)
        out: dict[str, Any] = {
            "Name": bucket, "Prefix": encode(prefix or ""), "Marker": encode(marker or ""), "MaxKeys": limit,
            "IsTruncated": result.truncated, "Delimiter": encode(delimiter or None),  # AWS: "" is not echoed
            "EncodingType": encoding_type,
            "Contents": [self._entry(o, encode, owner) for o in result.keys],
            "CommonPrefixes": [{"Prefix": encode(p)} for p in result.prefixes],
        }
        if result.truncated and delimiter:
            out["NextMarker"] = encode(result.last)
        return out

    def list_objects_v2(self, ctx: RequestContext, bucket: str, prefix: str | None = None,
                        delimiter: str | None = None, continuation_token: str | None = None,
                        start_after: str | None = None, max_keys: int | None = None, fetch_owner: bool = False,
                        encoding_type: str | None = None, **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        encode = _encoder(encoding_type)
        limit = check_max_keys(max_keys)
        # AWS: a continuation token wins over StartAfter, which is then neither used nor echoed;
        # an empty token is refused like a bad one
        resuming = continuation_token is not None
        after = read_token(continuation_token or "") if resuming else (start_after or "")
        result = page(walk(self.store, bucket, prefix or "", delimiter or "", after), limit)
        owner = self.owner(found.account) if fetch_owner else None
        out: dict[str, Any] = {
            "Name": bucket, "Prefix": encode(prefix or ""), "MaxKeys": limit, "IsTruncated": result.truncated,
            "KeyCount": len(result.keys) + len(result.prefixes), "Delimiter": encode(delimiter or None),
            "EncodingType": encoding_type, "ContinuationToken": continuation_token,
            "StartAfter": None if resuming else encode(start_after),
            "Contents": [self._entry(o, encode, owner) for o in result.keys],
            "CommonPrefixes": [{"Prefix": encode(p)} for p in result.prefixes],
        }
        if result.truncated and result.last is not None:
            out["NextContinuationToken"] = make_token(result.last)
        return out

    def list_object_versions(self, ctx: RequestContext, bucket: str, prefix: str | None = None,
                             delimiter: str | None = None, key_marker: str | None = None,
                             version_id_marker: str | None = None, max_keys: int | None = None,
                             encoding_type: str | None = None, **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        encode = _encoder(encoding_type)
        limit = check_max_keys(max_keys)
        if version_id_marker and not key_marker:
            raise e.invalid_argument("A version-id marker cannot be specified without a key marker.",
                                     "version-id-marker", version_id_marker)
        entries = walk(self.store, bucket, prefix or "", delimiter or "", key_marker or "", versions=True,
                       version_marker=version_id_marker)
        result = page(entries, limit)
        owner = self.owner(found.account)
        versions, markers = [], []
        for obj in result.keys:
            common = {"Key": encode(obj.key), "VersionId": obj.version_id, "IsLatest": obj.is_latest,
                      "LastModified": iso_ms(obj.last_modified), "Owner": owner}
            if obj.delete_marker:
                markers.append(common)
            else:
                entry = self._entry(obj, encode, owner)
                versions.append({**entry, **common})
        out: dict[str, Any] = {
            "Name": bucket, "Prefix": encode(prefix or ""), "KeyMarker": encode(key_marker or ""),
            "VersionIdMarker": version_id_marker or "", "MaxKeys": limit, "IsTruncated": result.truncated,
            "Delimiter": encode(delimiter or None), "EncodingType": encoding_type, "Versions": versions,
            "DeleteMarkers": markers, "CommonPrefixes": [{"Prefix": encode(p)} for p in result.prefixes],
        }
        if result.truncated:
            out["NextKeyMarker"] = encode(result.last)
            if result.last_version is not None:
                out["NextVersionIdMarker"] = result.last_version
        return out
