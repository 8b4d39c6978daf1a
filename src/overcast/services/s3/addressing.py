"""How S3 requests name their bucket and operation.

Virtual-hosted style (`http://bucket.s3.localhost:4566/key`, `http://bucket.localhost:4566/key`,
`bucket.s3.amazonaws.com`...) is rewritten to path style (`/bucket/key`) before operation matching.
Several S3 operations share one method and URI template (PUT /{Bucket}/{Key+} is PutObject,
UploadPart, CopyObject or UploadPartCopy); `operation_hint` tells them apart the way S3 does: by the
`uploadId` query parameter and the `x-amz-copy-source` header.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re

from overcast.edge.messages import Request

# bucket.s3.localhost, bucket.s3.us-east-1.localhost, bucket.s3.amazonaws.com,
# bucket.s3-us-west-2.amazonaws.com, bucket.s3.localhost.localstack.cloud ...
_S3_HOST = re.compile(
    r"^(?P<bucket>.+?)\.s3(?:[.-][a-z0-9-]+)?\.(?:localhost(?:\.localstack\.cloud)?|amazonaws\.com(?:\.cn)?)$"
)
_NOT_BUCKETS = frozenset({"s3", "localhost", "www"})


def bucket_from_host(hostname: str) -> str | None:
    """The bucket a virtual-hosted-style host name names, or None for a path-style host."""
    host = hostname.lower().rstrip(".")
    if not host or host.startswith("["):
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    match = _S3_HOST.match(host)
    if match:
        return match.group("bucket")
    for suffix in _public_suffixes():
        if host.endswith("." + suffix):
            bucket = host[: -len(suffix) - 1]
            if bucket.endswith(".s3"):
                bucket = bucket[:-3]
            return bucket if bucket and bucket not in _NOT_BUCKETS else None
    return None


def _public_suffixes() -> tuple[str, ...]:
    public = os.environ.get("OVERCAST_PUBLIC_HOST", "").lower()
    return ("localhost", public) if public and public != "localhost" else ("localhost",)


def rewrite(req: Request) -> Request:
    """Turn a virtual-hosted-style request into the path-style request it stands for."""
    bucket = bucket_from_host(req.hostname)
    if bucket is None:
        return req
    path = req.raw_path if req.raw_path.startswith("/") else "/" + req.raw_path
    return dataclasses.replace(req, raw_path=f"/{bucket}{path}" if path != "/" else f"/{bucket}")


def operation_hint(req: Request) -> str | None:
    """The operation among those sharing a URI template, or None to let the template decide."""
    path = req.raw_path.split("?", 1)[0]
    has_key = bool(path.lstrip("/").partition("/")[2])
    method = req.method
    if not has_key:
        if path.strip("/") == "":
            return "ListBuckets" if method == "GET" else None
        if req.query_has("lifecycle"):
            return {"GET": "GetBucketLifecycleConfiguration", "PUT": "PutBucketLifecycleConfiguration"}.get(method)
        if req.query_has("notification"):
            return {"GET": "GetBucketNotificationConfiguration",
                    "PUT": "PutBucketNotificationConfiguration"}.get(method)
        return None
    if len(req.query) > 0 and _has_subresource(req):
        return None
    upload = req.query_has("uploadId")
    if method == "PUT":
        copy = "x-amz-copy-source" in req.headers
        if upload:
            return "UploadPartCopy" if copy else "UploadPart"
        return "CopyObject" if copy else "PutObject"
    if method == "GET":
        return "ListParts" if upload else "GetObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if upload else "DeleteObject"
    return None


# Object subresources named by a bare query key (`?tagging`, `?acl`...): their own URI template wins.
_SUBRESOURCES = frozenset({
    "acl", "tagging", "uploads", "attributes", "legal-hold", "retention", "torrent", "restore", "select",
    "renameObject", "encryption",
})


def _has_subresource(req: Request) -> bool:
    return any(key in _SUBRESOURCES for key, _ in req.query)
