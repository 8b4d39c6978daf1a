"""Server-side encryption as S3 reports it: SSE-S3 (`AES256`, the default), or SSE-KMS (`aws:kms`,
`aws:kms:dsse`) with its key and S3 Bucket Keys
([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)).

An object's encryption comes from its request headers, or else from the bucket's default
encryption; without a key id, SSE-KMS uses the account's AWS managed key for S3 (`alias/aws/s3`,
created in KMS on first use). The key must exist in overcast's KMS and be usable, on writes and on
GetObject; KMS's failures answer as S3 does, `KMS.` and KMS's code (`KMS.DisabledException`,
`KMS.NotFoundException`...). The settings are kept with the object and answered back on every write
and read of it (the object bytes themselves are kept as they are).
"""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.s3 import errors as e
from overcast.services.s3.models import Bucket

ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
MANAGED_ALIAS = "alias/aws/s3"


def kms_key(platform: Platform, account: str, region: str, key_id: str) -> str:
    """The ARN of the usable KMS key `key_id` names; S3's `KMS.*` error otherwise."""
    try:
        return kms.check_usable(platform, account, region, key_id)
    except ServiceError as exc:
        raise e.s3_error(f"KMS.{exc.code}", exc.message, 400 if exc.status < 500 else exc.status) from None


def check_readable(platform: Platform, meta: dict[str, Any]) -> None:
    """GetObject of an SSE-KMS object needs its key (S3 decrypts the object's data key with it)."""
    key_arn = (meta.get("Encryption") or {}).get("SSEKMSKeyId")
    if key_arn:
        parts = key_arn.split(":")
        kms_key(platform, parts[4], parts[3], key_arn)


def settings(platform: Platform, bucket: Bucket, params: dict[str, Any]) -> dict[str, Any]:
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
    arn = kms_key(platform, bucket.account, bucket.region, key_id or MANAGED_ALIAS)
    out: dict[str, Any] = {"ServerSideEncryption": algorithm, "SSEKMSKeyId": arn}
    if bucket_key:
        out["BucketKeyEnabled"] = True
    return out


def members(meta: dict[str, Any]) -> dict[str, Any]:
    """The encryption members answered for an object (SSE-S3 when none were kept)."""
    return dict(meta.get("Encryption") or {"ServerSideEncryption": "AES256"})
