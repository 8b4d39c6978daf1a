"""Services' use of KMS keys on a caller's behalf, checked as AWS checks it, as the caller, through
the service (`kms:ViaService` = `<service>.<region>.amazonaws.com`):

- S3 asks KMS for a data key to write an SSE-KMS object (`kms:GenerateDataKey`) and to decrypt one
  it reads (`kms:Decrypt`), with the encryption context `aws:s3:arn` = the object's ARN (the
  bucket's with an S3 Bucket Key)
  ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html));
- SQS needs `kms:GenerateDataKey` and `kms:Decrypt` from a producer of an encrypted queue and
  `kms:Decrypt` from a consumer, with `aws:sqs:arn` = the queue's ARN
  ([AWS](https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html)).

An AWS managed key (`alias/aws/s3`, `alias/aws/sqs`) needs nothing: its key policy allows every
principal of the account through the service.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam.kms_access import KeyCheck, key_check
from overcast.services.kms.inbox import describe_key
from overcast.services.s3.inbox import object_kms_key, write_kms_key
from overcast.services.sqs.inbox import get_queue

#: S3 operations that write an object with a data key, and those that decrypt the object they read
_WRITES = {"PutObject", "CopyObject", "CreateMultipartUpload"}
_READS = {"GetObject", "SelectObjectContent"}
_MANAGED = "alias/aws/s3"


def _source(params: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(bucket, key, version) of a copy's source."""
    text = unquote(str(params.get("CopySource") or "")).lstrip("/")
    path, _, version = text.partition("?versionId=")
    bucket, _, key = path.partition("/")
    return (bucket, key, version or None) if bucket and key else None


def s3_key_checks(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> list[KeyCheck]:
    """The KMS checks S3 makes for one request (none for SSE-S3 objects and AWS managed keys)."""
    bucket, key = str(params.get("Bucket") or ""), params.get("Key")
    if not bucket or key is None:
        return []
    checks = []
    if op in _WRITES:
        found = write_kms_key(platform, bucket, params.get("ServerSideEncryption"), params.get("SSEKMSKeyId"))
        if found is not None and not found[2].endswith(_MANAGED):
            account, region, key_id, bucket_key = found
            scope = RequestContext(account=account, region=region)
            arn = f"arn:aws:s3:::{bucket}" if bucket_key else f"arn:aws:s3:::{bucket}/{key}"
            check = key_check(platform, scope, "kms:GenerateDataKey", key_id, {"aws:s3:arn": arn})
            if not _aws_managed(platform, check.resource):
                checks.append(check)
    reads = [(bucket, str(key), params.get("VersionId"))] if op in _READS else []
    if op in ("CopyObject", "UploadPartCopy") and _source(params) is not None:
        reads.append(_source(params))  # type: ignore[arg-type]
    for source_bucket, source_key, version in reads:
        key_arn = object_kms_key(platform, source_bucket, source_key, version)
        if key_arn is not None and not _aws_managed(platform, key_arn):
            parts = key_arn.split(":")
            scope = RequestContext(account=parts[4], region=parts[3])
            checks.append(key_check(platform, scope, "kms:Decrypt", key_arn,
                                    {"aws:s3:arn": f"arn:aws:s3:::{source_bucket}/{source_key}"}))
    return checks


def _aws_managed(platform: Platform, key_arn: str) -> bool:
    parts = key_arn.split(":")
    try:
        return describe_key(platform, parts[4], parts[3], key_arn).get("KeyManager") == "AWS"
    except ServiceError:  # a key that does not exist: S3 itself answers KMS's error
        return False


_SQS = {"SendMessage": ("kms:GenerateDataKey", "kms:Decrypt"), "SendMessageBatch": ("kms:GenerateDataKey", "kms:Decrypt"),
        "ReceiveMessage": ("kms:Decrypt",)}


def sqs_key_checks(platform: Platform, op: str, queue_arn: str) -> list[KeyCheck]:
    """The KMS checks SQS makes for a send to or a receive from an encrypted queue."""
    actions = _SQS.get(op)
    queue = get_queue(platform, queue_arn) if actions and queue_arn.startswith("arn:") else None
    key_id = queue.attributes.get("KmsMasterKeyId") if queue is not None else None
    if not actions or not key_id or str(key_id).endswith("alias/aws/sqs"):
        return []
    parts = queue_arn.split(":")
    scope = RequestContext(account=parts[4], region=parts[3])
    checks = [key_check(platform, scope, action, str(key_id), {"aws:sqs:arn": queue_arn}) for action in actions]
    return [] if _aws_managed(platform, checks[0].resource) else checks
