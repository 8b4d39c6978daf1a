"""Server-side encryption as S3 reports it: SSE-S3 (`AES256`, the default), or SSE-KMS (`aws:kms`,
`aws:kms:dsse`) with its key and S3 Bucket Keys
([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)).

An object's encryption comes from its request headers, or else from the bucket's default
encryption; without a key id, SSE-KMS uses the account's AWS managed key for S3 (`aws/s3`). The
settings are kept with the object and answered back on every write and read of it (objects are
not actually encrypted at rest by overcast).
"""

from __future__ import annotations

import uuid
from typing import Any

from overcast.services.s3 import errors as e
from overcast.services.s3.models import Bucket

ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


def managed_key(bucket: Bucket) -> str:
    """The ARN of the account's AWS managed key for S3 in the bucket's Region (stable per account)."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"aws/s3/{bucket.account}/{bucket.region}")
    return f"arn:aws:kms:{bucket.region}:{bucket.account}:key/{key}"


def _key_arn(bucket: Bucket, key_id: str) -> str:
    if key_id.startswith("arn:"):
        return key_id
    return f"arn:aws:kms:{bucket.region}:{bucket.account}:{key_id if key_id.startswith('alias/') else 'key/' + key_id}"


def settings(bucket: Bucket, params: dict[str, Any]) -> dict[str, Any]:
    """The encryption members to keep for a new object: from the request, or the bucket's default."""
    algorithm = params.get("server_side_encryption")
    key_id = params.get("ssekms_key_id")
    bucket_key = params.get("bucket_key_enabled")
    if algorithm is None:
        rule = ((bucket.settings.get("encryption") or {}).get("Rules") or [{}])[0]
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm") or "AES256"
        key_id = key_id or default.get("KMSMasterKeyID")
        if bucket_key is None:
            bucket_key = rule.get("BucketKeyEnabled")
    if algorithm not in ALGORITHMS:
        raise e.invalid_argument("The encryption method specified is not supported", "x-amz-server-side-encryption",
                                 algorithm)
    if algorithm == "AES256":
        if key_id:
            raise e.invalid_argument("Server Side Encryption with AWS KMS managed key requires HTTP header "
                                     "x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-aws-kms-key-id",
                                     key_id)
        return {"ServerSideEncryption": "AES256"}
    out: dict[str, Any] = {"ServerSideEncryption": algorithm,
                           "SSEKMSKeyId": _key_arn(bucket, key_id) if key_id else managed_key(bucket)}
    if bucket_key:
        out["BucketKeyEnabled"] = True
    return out


def members(meta: dict[str, Any]) -> dict[str, Any]:
    """The encryption members answered for an object (SSE-S3 when none were kept)."""
    return dict(meta.get("Encryption") or {"ServerSideEncryption": "AES256"})
