"""What every Secrets Manager operation shares: finding a secret as AWS does, the AWS rules that
refuse an operation (deleted secrets, replicas), and the views of a secret AWS returns."""

from __future__ import annotations

import datetime as dt
import re
import string
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.secretsmanager import replication, vault
from overcast.services.secretsmanager.errors import (
    DELETED,
    REPLICA,
    InvalidParameterException,
    InvalidRequestException,
    not_found,
)
from overcast.services.secretsmanager.models import SecretStore

Doc = dict[str, Any]
ROTATION_SIGNAL = "secretsmanager-due"
#: the characters of a secret's name (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html)
_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]+")
_SUFFIX = string.ascii_letters


def epoch(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def day_of(moment: float) -> float:
    """Midnight UTC of `moment`'s day: AWS keeps LastAccessedDate to the day."""
    return float(int(moment // 86400) * 86400)


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(SecretStore)

    # -- finding ------------------------------------------------------------------------------

    def _find(self, ctx: RequestContext, secret_id: str) -> Doc:
        doc = self.store.find(ctx.account, ctx.region, secret_id)
        if doc is None:
            raise not_found()
        return replication.refresh(self.platform, doc) if doc.get("_primary") else doc

    def _live(self, ctx: RequestContext, secret_id: str, replica_ok: bool = False) -> Doc:
        """A secret that is not scheduled for deletion (and, unless `replica_ok`, not a replica)."""
        doc = self._find(ctx, secret_id)
        if not replica_ok:
            self._not_replica(doc)
        if doc.get("DeletedDate") is not None:
            raise InvalidRequestException(DELETED)
        return doc

    @staticmethod
    def _not_replica(doc: Doc) -> None:
        if doc.get("_primary"):
            raise InvalidParameterException(REPLICA)

    # -- building -----------------------------------------------------------------------------

    @staticmethod
    def _check_name(name: str) -> None:
        if not _NAME.fullmatch(name):
            raise InvalidParameterException("Invalid name. Must be a valid name containing alphanumeric characters, "
                                            "or any of the following: -/_+=.@!")

    @staticmethod
    def _new_arn(account: str, region: str, name: str) -> str:
        suffix = "".join(_SUFFIX[b % len(_SUFFIX)] for b in uuid.uuid4().bytes[:6])
        return f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix}"

    @staticmethod
    def _token(token: str | None) -> str:
        if token is None:
            return str(uuid.uuid4())
        if not 32 <= len(token) <= 64:
            raise InvalidParameterException("ClientRequestToken must be 32-64 characters long.")
        return token

    @staticmethod
    def _one_value(secret_string: str | None, secret_binary: bytes | None) -> None:
        if secret_string is not None and secret_binary is not None:
            raise InvalidParameterException("You can't specify both a binary secret value and a string secret "
                                            "value in the same secret.")

    def _store_value(self, ctx: RequestContext, doc: Doc, version_id: str, secret_string: str | None,
                     secret_binary: bytes | None, stages: list[str]) -> None:
        """A new version (or the value of a version RotateSecret created empty) with `stages`."""
        data = vault.encode(secret_string, secret_binary)
        sealed, key = vault.seal(self.platform, doc["_account"], doc["_region"], doc.get("KmsKeyId"), data,
                                 doc["ARN"], version_id)
        if self.store.version(doc, version_id) is None:
            self.store.add_version(doc, version_id, self.platform.clock.now(), sealed, key)
        else:
            self.store.set_value(doc, version_id, sealed, key)
        for stage in stages:
            self.store.attach(doc, stage, version_id)

    def _value(self, ctx: RequestContext, doc: Doc, version: Doc) -> dict[str, Any] | None:
        """The value of a version (None: a version RotateSecret created that has none yet)."""
        if version.get("_value") is None:
            return None
        arn = self.store.versions_arn(doc)  # a replica's versions are its primary's, sealed in its region
        data = vault.unseal(self.platform, doc["_account"], arn.split(":")[3], version.get("_sealed_with"),
                            version["_value"], arn, version["VersionId"])
        return vault.decode(data)

    def _same_value(self, ctx: RequestContext, doc: Doc, version: Doc, secret_string: str | None,
                    secret_binary: bytes | None) -> bool:
        value = self._value(ctx, doc, version) or {}
        return value.get("SecretString") == secret_string and value.get("SecretBinary") == secret_binary

    # -- views --------------------------------------------------------------------------------

    def _stages_map(self, doc: Doc) -> dict[str, list[str]]:
        return {v["VersionId"]: v["VersionStages"] for v in self.store.versions(doc) if v["VersionStages"]}

    def _view(self, doc: Doc, listing: bool = False) -> Doc:
        """DescribeSecret's members (ListSecrets' entry when `listing`)."""
        view = {k: v for k, v in doc.items() if not k.startswith("_") and v is not None}
        if view.get("Tags") is None:  # AWS shows Tags once the secret has had some, even when empty
            view.pop("Tags", None)
        replicas = view.pop("ReplicationStatus", None)
        stages = self._stages_map(doc)
        if stages:  # a secret without a value has none, and AWS leaves the member out
            view["SecretVersionsToStages" if listing else "VersionIdsToStages"] = stages
        if not listing and replicas:
            view["ReplicationStatus"] = replicas
        return view

    def _touch(self, doc: Doc, version_id: str) -> None:
        day = day_of(self.platform.clock.now())
        self.store.touch(doc, version_id, day)
        if doc.get("LastAccessedDate") != day:
            doc["LastAccessedDate"] = day
            self.store.put(doc)

    def _changed(self, doc: Doc) -> None:
        doc["LastChangedDate"] = self.platform.clock.now()
