"""Server-side encryption of a topic with a KMS key (`KmsMasterKeyId`): SNS needs the key to publish,
and answers KMS's failures with its own `KMS*` errors (`KMSDisabled`, `KMSInvalidState`,
`KMSNotFound`...) (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html).
overcast checks the key at each Publish; messages stay in its database as they are."""

from __future__ import annotations

from overcast.errors import ServiceError, client_error
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.sns.store import Topic

#: KMS's error code → SNS's
CODES = {"DisabledException": "KMSDisabled", "KMSInvalidStateException": "KMSInvalidState",
         "NotFoundException": "KMSNotFound", "InvalidKeyUsageException": "KMSInvalidState",
         "AccessDeniedException": "KMSAccessDenied"}


def check_key(platform: Platform, topic: Topic) -> None:
    """Raise SNS's KMS error unless the topic's KMS key (if any) can be used now."""
    key_id = topic.attributes.get("KmsMasterKeyId")
    if not key_id:
        return
    try:
        kms.check_usable(platform, topic.account, topic.region, key_id)
    except ServiceError as exc:
        code = CODES.get(exc.code)
        if code is None:
            raise
        raise client_error(code, exc.message) from None
