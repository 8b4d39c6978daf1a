"""CloudWatch Logs encryption with a KMS key: `kmsKeyId` on CreateLogGroup, AssociateKmsKey and
DisassociateKmsKey (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/encrypt-log-data-kms.html).

The key is named by its key ARN (Logs takes no alias or bare key id) and must be a usable symmetric
key of overcast's KMS; otherwise Logs answers InvalidParameterException. Log events stay in
overcast's database as they are.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import inbox as kms
from overcast.services.logs.errors import InvalidParameter


def check_key(platform: Platform, ctx: RequestContext, key_id: str, group: str) -> None:
    """InvalidParameterException unless `key_id` is the ARN of a key Logs can use for the group."""
    group_arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{group}"
    message = f"Specified KMS key {key_id} does not exist or is not allowed to be used with ARN '{group_arn}'"
    parts = key_id.split(":")
    if len(parts) < 6 or not parts[5].startswith("key/"):
        raise InvalidParameter(message)
    try:
        kms.check_usable(platform, parts[4], parts[3], key_id)
    except ServiceError:
        raise InvalidParameter(message) from None


class KmsKeyOperations:
    """Mixed into `LogsApi`: uses its `platform`, `store` and `db`."""

    platform: Platform
    store: Any
    db: Any

    def associate_kms_key(self, ctx: RequestContext, kms_key_id: str, log_group_name: str | None = None,
                          **_: Any) -> dict[str, Any]:
        if not log_group_name:
            raise InvalidParameter("logGroupName is required.")
        self.store.group(ctx.account, ctx.region, log_group_name)
        check_key(self.platform, ctx, kms_key_id, log_group_name)
        self._set_key(ctx, log_group_name, kms_key_id)
        return {}

    def disassociate_kms_key(self, ctx: RequestContext, log_group_name: str | None = None,
                             **_: Any) -> dict[str, Any]:
        if not log_group_name:
            raise InvalidParameter("logGroupName is required.")
        self.store.group(ctx.account, ctx.region, log_group_name)
        self._set_key(ctx, log_group_name, None)
        return {}

    def _set_key(self, ctx: RequestContext, group: str, key_id: str | None) -> None:
        self.db.execute("UPDATE logs_groups SET kms_key_id=? WHERE account=? AND region=? AND name=?",
                        (key_id, ctx.account, ctx.region, group))
