"""Encryption at rest with a KMS key (`SSESpecification` with SSEType KMS): the table's key is a real
key of overcast's KMS, its own or the AWS managed key `alias/aws/dynamodb` (created on first use)
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html).

While the key cannot be used (disabled, pending deletion, deleted), DescribeTable shows the table
as `INACCESSIBLE_ENCRYPTION_CREDENTIALS` with `SSEDescription.InaccessibleEncryptionDateTime`, as AWS
does; the data plane is not refused (items stay in overcast's database as they are).
"""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.kms import inbox as kms

MANAGED_ALIAS = "alias/aws/dynamodb"


def table_key(platform: Platform, account: str, region: str, key_id: str | None) -> str:
    """The ARN of the KMS key a new table is encrypted with; ValidationException if it cannot be used."""
    try:
        return kms.check_usable(platform, account, region, key_id or MANAGED_ALIAS)
    except ServiceError as exc:
        raise DynamoValidation(f"KMS key {key_id or MANAGED_ALIAS} cannot be used to encrypt the table: "
                               f"{exc.message} ({exc.code})") from None


def mark_inaccessible(platform: Platform, desc: dict[str, Any]) -> dict[str, Any]:
    """A table description, marked inaccessible while its KMS key cannot be used."""
    sse = desc.get("SSEDescription")
    if not sse or not sse.get("KMSMasterKeyArn"):
        return desc
    arn = sse["KMSMasterKeyArn"]
    parts = arn.split(":")
    try:
        kms.check_usable(platform, parts[4], parts[3], arn)
    except ServiceError:
        desc["TableStatus"] = "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
        sse["InaccessibleEncryptionDateTime"] = platform.clock.now()
    return desc
