"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases
(https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kms.api_base import ApiBase, paged
from overcast.services.kms.errors import (
    AlreadyExistsException,
    KMSInvalidStateException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from overcast.services.kms.models import ARN, AWS_ALIAS, Doc, alias_arn

#: the AWS-managed aliases every account lists, with no TargetKeyId until the service first uses them
PREDEFINED = ["alias/aws/acm", "alias/aws/dynamodb", "alias/aws/ebs", "alias/aws/elasticfilesystem", "alias/aws/es",
              "alias/aws/glue", "alias/aws/kinesisvideo", "alias/aws/lambda", "alias/aws/rds", "alias/aws/redshift",
              "alias/aws/s3", "alias/aws/secretsmanager", "alias/aws/ssm", "alias/aws/xray"]


def _is_alias(key_id: str) -> bool:
    match = ARN.match(key_id)
    return key_id.startswith("alias/") or (match is not None and match.group(3) == "alias")


def check_alias_name(name: str) -> None:
    """An alias is `alias/` and a name; `alias/aws/` is reserved for AWS-managed keys."""
    if not name.startswith("alias/"):
        raise ValidationException("Invalid identifier")
    if name.startswith(AWS_ALIAS):
        raise NotAuthorizedException("")
    if ":" in name:
        raise ValidationException(f"{name} contains invalid characters for an alias")


class AliasOperations(ApiBase):
    def create_alias(self, ctx: RequestContext, alias_name: str, target_key_id: str) -> dict[str, Any]:
        check_alias_name(alias_name)
        target = self._target(ctx, target_key_id)
        if self.store.alias(ctx.account, ctx.region, alias_name) is not None:
            raise AlreadyExistsException(f"An alias with the name {alias_arn(ctx.account, ctx.region, alias_name)} "
                                         "already exists")
        self.store.put_alias(ctx.account, ctx.region, alias_name, target["Metadata"]["KeyId"])
        return {}

    def update_alias(self, ctx: RequestContext, alias_name: str, target_key_id: str) -> dict[str, Any]:
        """Point an alias at another key of the same type and usage (AWS refuses a change that would
        make code using the alias fail: symmetric to asymmetric, encryption to signing)."""
        check_alias_name(alias_name)
        target = self._target(ctx, target_key_id)
        current = self.store.alias(ctx.account, ctx.region, alias_name)
        if current is None:
            raise NotFoundException(f"Alias {alias_arn(ctx.account, ctx.region, alias_name)} is not found.")
        old = self.store.get(ctx.account, ctx.region, current["TargetKeyId"])
        if old is not None and (old["Metadata"]["KeyUsage"], old["Metadata"]["KeySpec"] == "SYMMETRIC_DEFAULT") != (
                target["Metadata"]["KeyUsage"], target["Metadata"]["KeySpec"] == "SYMMETRIC_DEFAULT"):
            raise ValidationException(f"{target['Metadata']['Arn']} key usage or type does not match the alias's "
                                      f"current key {old['Metadata']['Arn']}.")
        self.store.put_alias(ctx.account, ctx.region, alias_name, target["Metadata"]["KeyId"])
        return {}

    def _target(self, ctx: RequestContext, target_key_id: str) -> Doc:
        if _is_alias(target_key_id):
            raise ValidationException("Aliases must refer to keys. Not aliases")
        target = self._own_key(ctx, target_key_id)
        meta = target["Metadata"]
        if meta["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
            raise KMSInvalidStateException(f"{meta['Arn']} is pending deletion.")
        return target

    def delete_alias(self, ctx: RequestContext, alias_name: str) -> dict[str, Any]:
        if not alias_name.startswith("alias/"):
            raise ValidationException("Invalid identifier")
        if alias_name.startswith(AWS_ALIAS):
            raise NotAuthorizedException("")
        if self.store.alias(ctx.account, ctx.region, alias_name) is None:
            raise NotFoundException(f"Alias {alias_arn(ctx.account, ctx.region, alias_name)} is not found.")
        self.store.delete_alias(ctx.account, ctx.region, alias_name)
        return {}

    def list_aliases(self, ctx: RequestContext, key_id: str | None = None, limit: int | None = None,
                     marker: str | None = None) -> dict[str, Any]:
        if key_id is not None:
            doc = self._key(ctx, key_id)  # any of the key's names, aliases included
            aliases = self.store.aliases(ctx.account, ctx.region, doc["Metadata"]["KeyId"])
        else:
            # the account's own aliases, then the predefined AWS aliases whose key does not exist yet
            aliases = self.store.aliases(ctx.account, ctx.region)
            named = {a["AliasName"] for a in aliases}
            aliases += [{"AliasName": name, "AliasArn": alias_arn(ctx.account, ctx.region, name)}
                        for name in PREDEFINED if name not in named]
        page, following = self._page(aliases, limit, marker, default=50)
        return paged("Aliases", page, following)
