"""Server-side encryption of a queue with a KMS key (`KmsMasterKeyId`): SQS needs the key to send
and to receive, and answers KMS's failures with its own `KMS.*` errors
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html).

overcast checks the key at each send and receive (it does not cache data keys for
`KmsDataKeyReusePeriodSeconds`, so a disabled key fails the next call at once); message bodies stay
in overcast's database as they are.
"""

from __future__ import annotations

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.sqs.errors import SqsError
from overcast.services.sqs.queues import Queue

#: KMS's error code → the SQS error shape (its query code is `KMS.<KMS's code>`)
SHAPES = {"DisabledException": "KmsDisabled", "KMSInvalidStateException": "KmsInvalidState",
          "NotFoundException": "KmsNotFound", "InvalidKeyUsageException": "KmsInvalidKeyUsage",
          "AccessDeniedException": "KmsAccessDenied"}


def check_key(platform: Platform, queue: Queue, request_id: str) -> None:
    """Raise SQS's KMS error unless the queue's KMS key (if any) can be used now."""
    key_id = queue.attributes.get("KmsMasterKeyId")
    if not key_id:
        return
    try:
        kms.check_usable(platform, queue.account, queue.region, key_id)
    except ServiceError as exc:
        shape = SHAPES.get(exc.code)
        if shape is None:
            raise
        raise SqsError(f"{exc.message} (Service: AWSKMS; Status Code: 400; Error Code: {exc.code}; "
                       f"Request ID: {request_id}; Proxy: null)", code=shape) from None
