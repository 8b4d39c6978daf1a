"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant
(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html). Stored; the IAM enforcement mode
reads them."""

from __future__ import annotations

import base64
import os
from typing import Any

from overcast.context import RequestContext
from overcast.services.kms import cipher
from overcast.services.kms.api_base import ApiBase, paged
from overcast.services.kms.api_crypto import refuse_dry_run
from overcast.services.kms.errors import (
    InvalidGrantTokenException,
    NotFoundException,
    ValidationException,
)
from overcast.services.kms.grants import GrantStore
from overcast.services.kms.models import Doc, usable

#: the grant operations each kind of key allows
#: (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations)
COMMON = {"CreateGrant", "DescribeKey", "RetireGrant"}
BY_USAGE = {
    "ENCRYPT_DECRYPT": {"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"},
    "SIGN_VERIFY": {"Sign", "Verify", "GetPublicKey"},
    "GENERATE_VERIFY_MAC": {"GenerateMac", "VerifyMac"},
    "KEY_AGREEMENT": {"DeriveSharedSecret", "GetPublicKey"},
}
SYMMETRIC_ONLY = {"GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
                  "GenerateDataKeyPairWithoutPlaintext"}


class GrantOperations(ApiBase):
    @property
    def grants(self) -> GrantStore:
        return self.platform.component(GrantStore)

    def create_grant(self, ctx: RequestContext, key_id: str, operations: list[str],
                     grantee_principal: str | None = None, retiring_principal: str | None = None,
                     constraints: dict[str, Any] | None = None, name: str | None = None,
                     dry_run: bool | None = None, **_: Any) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        usable(doc)  # disabled: DisabledException; pending deletion or import: KMSInvalidStateException
        self._check_operations(doc, operations)
        if not grantee_principal:
            raise ValidationException("GranteePrincipal is required.")
        refuse_dry_run(dry_run)
        key = doc["Metadata"]["KeyId"]
        for token, existing in self.grants.of_key(ctx.account, ctx.region, key):
            # a grant created again with the same name and settings is the same grant (idempotent)
            if name and existing.get("Name") == name and existing["GranteePrincipal"] == grantee_principal \
                    and sorted(existing["Operations"]) == sorted(operations):
                return {"GrantToken": token, "GrantId": existing["GrantId"]}
        grant: Doc = {"KeyId": self._arn(doc), "GrantId": os.urandom(32).hex(), "CreationDate": self.clock.now(),
                      "GranteePrincipal": grantee_principal, "IssuingAccount": f"arn:aws:iam::{ctx.account}:root",
                      "Operations": list(operations)}
        if name:
            grant["Name"] = name
        if retiring_principal:
            grant["RetiringPrincipal"] = retiring_principal
        if constraints:
            grant["Constraints"] = constraints
        token = base64.urlsafe_b64encode(os.urandom(96)).decode().rstrip("=")
        self.grants.put(ctx.account, ctx.region, key, token, grant)
        return {"GrantToken": token, "GrantId": grant["GrantId"]}

    @staticmethod
    def _check_operations(doc: Doc, operations: list[str]) -> None:
        meta = doc["Metadata"]
        allowed = COMMON | BY_USAGE.get(meta["KeyUsage"], set())
        if not cipher.symmetric(doc):
            allowed -= SYMMETRIC_ONLY
        wrong = [op for op in operations if op not in allowed]
        if not operations or wrong:
            raise ValidationException(f"Grant operations {wrong or operations} are not valid for a KMS key with "
                                      f"KeyUsage {meta['KeyUsage']} and KeySpec {meta['KeySpec']}.")

    def list_grants(self, ctx: RequestContext, key_id: str, limit: int | None = None, marker: str | None = None,
                    grant_id: str | None = None, grantee_principal: str | None = None, **_: Any) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        found = [g for _, g in self.grants.of_key(ctx.account, ctx.region, doc["Metadata"]["KeyId"])
                 if (grant_id is None or g["GrantId"] == grant_id)
                 and (grantee_principal is None or g["GranteePrincipal"] == grantee_principal)]
        page, following = self._page(found, limit, marker, default=50)
        return paged("Grants", page, following)

    def list_retirable_grants(self, ctx: RequestContext, retiring_principal: str | None = None,
                              limit: int | None = None, marker: str | None = None) -> dict[str, Any]:
        if not retiring_principal:
            raise ValidationException("1 validation error detected: Value null at 'retiringPrincipal' failed to "
                                      "satisfy constraint: Member must not be null")
        found = [g for _, g in self.grants.all(ctx.account, ctx.region)
                 if g.get("RetiringPrincipal") == retiring_principal]
        page, following = self._page(found, limit, marker, default=50)
        return paged("Grants", page, following)

    def retire_grant(self, ctx: RequestContext, grant_token: str | None = None, key_id: str | None = None,
                     grant_id: str | None = None, dry_run: bool | None = None) -> dict[str, Any]:
        """Retire a grant named by its token, or by key and grant id."""
        if grant_token:
            match = [g for t, g in self.grants.all(ctx.account, ctx.region) if t == grant_token]
            if not match:
                raise InvalidGrantTokenException("The grant token is not valid.")
            refuse_dry_run(dry_run)
            self.grants.delete(ctx.account, ctx.region, match[0]["GrantId"])
            return {}
        if not (key_id and grant_id):
            raise ValidationException("Specify a GrantToken, or a KeyId and a GrantId.")
        self._revoke(ctx, key_id, grant_id, dry_run)
        return {}

    def revoke_grant(self, ctx: RequestContext, key_id: str, grant_id: str,
                     dry_run: bool | None = None) -> dict[str, Any]:
        self._revoke(ctx, key_id, grant_id, dry_run)
        return {}

    def _revoke(self, ctx: RequestContext, key_id: str, grant_id: str, dry_run: bool | None) -> None:
        doc = self._own_key(ctx, key_id)
        grants = {g["GrantId"] for _, g in self.grants.of_key(ctx.account, ctx.region, doc["Metadata"]["KeyId"])}
        if grant_id not in grants:
            raise NotFoundException(f"Grant ID {grant_id} not found")
        refuse_dry_run(dry_run)
        self.grants.delete(ctx.account, ctx.region, grant_id)
