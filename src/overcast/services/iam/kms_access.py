"""What a KMS call asks IAM for, and the grants that may allow it (docs/iam.md, "KMS").

AWS evaluates KMS access as [Determining access to KMS keys](https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html)
describes: the key policy is the primary control (identity policies count only when it delegates to
the account, `arn:aws:iam::<account>:root`, as the default key policy does); a grant allows its
operations to its grantee principal; an explicit Deny anywhere wins over both. A call that names a
key by id, alias name or alias ARN acts on the key's ARN; Decrypt and ReEncrypt of a blob act on
the key the blob names. Alias operations act on the alias and on its key
(https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from overcast.authz.evaluation import ROOT, Principal
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.kms.inbox import blob_key_id, key_of

#: operations that act on no key (their resource is `*`)
_NO_KEY = {"CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "ListRetirableGrants",
           "CreateCustomKeyStore", "DescribeCustomKeyStores", "ConnectCustomKeyStore",
           "DisconnectCustomKeyStore", "DeleteCustomKeyStore", "UpdateCustomKeyStore"}


@dataclass
class KeyCheck:
    """One (action, resource) a KMS call needs, with the key's grants and the encryption context
    the call gives (for grant constraints)."""

    action: str
    resource: str
    grants: list[dict[str, Any]] = field(default_factory=list)
    encryption_context: Mapping[str, str] | None = None


def _key(platform: Platform, ctx: RequestContext, action: str, key_id: Any,
         encryption_context: Any = None) -> KeyCheck:
    """The check on the key `key_id` names (its ARN when it exists, else the ARN the id spells)."""
    text = str(key_id)
    found = key_of(platform, ctx.account, ctx.region, text)
    context = encryption_context if isinstance(encryption_context, Mapping) else None
    if found is not None:
        return KeyCheck(action, found[0], found[2], context)
    if text.startswith("arn:"):
        return KeyCheck(action, text, [], context)
    kind = "" if text.startswith("alias/") else "key/"
    return KeyCheck(action, f"arn:aws:kms:{ctx.region}:{ctx.account}:{kind}{text}", [], context)


def key_check(platform: Platform, ctx: RequestContext, action: str, key_id: str,
              encryption_context: Mapping[str, str] | None = None) -> KeyCheck:
    """The check of `action` on the key `key_id` names in `ctx`'s account and region (a service's
    use of a key on a caller's behalf: `via_service.py`)."""
    return _key(platform, ctx, action, key_id, encryption_context)


def _alias(ctx: RequestContext, name: Any) -> str:
    text = str(name)
    return text if text.startswith("arn:") else f"arn:aws:kms:{ctx.region}:{ctx.account}:{text}"


def kms_checks(platform: Platform, ctx: RequestContext, op: str, p: dict[str, Any]) -> list[KeyCheck]:
    """The checks of one KMS call (`kms:<Operation>` on each key and alias it touches)."""
    action = f"kms:{op}"
    if op == "ReEncrypt":  # ReEncryptFrom on the blob's key, ReEncryptTo on the destination key
        source = p.get("SourceKeyId") or blob_key_id(p.get("CiphertextBlob"))
        checks = [_key(platform, ctx, "kms:ReEncryptFrom", source, p.get("SourceEncryptionContext"))] if source else []
        if p.get("DestinationKeyId"):
            checks.append(_key(platform, ctx, "kms:ReEncryptTo", p["DestinationKeyId"],
                               p.get("DestinationEncryptionContext")))
        return checks or [KeyCheck(action, "*")]
    if op in ("CreateAlias", "UpdateAlias", "DeleteAlias") and p.get("AliasName"):
        checks = [KeyCheck(action, _alias(ctx, p["AliasName"]))]
        target = p.get("TargetKeyId") or (p["AliasName"] if op == "DeleteAlias" else None)
        return checks + ([_key(platform, ctx, action, target)] if target else [])
    key_id = p.get("KeyId")
    if key_id is None and op == "Decrypt":
        key_id = blob_key_id(p.get("CiphertextBlob"))
    if op in _NO_KEY or not key_id:
        return [KeyCheck(action, "*")]
    return [_key(platform, ctx, action, key_id, p.get("EncryptionContext"))]


def kms_keys(principal: Principal, check: KeyCheck, params: dict[str, Any]) -> dict[str, Any]:
    """KMS's condition keys for one check (lowercased): `kms:CallerAccount`, the encryption context
    (`kms:EncryptionContext:<key>`, `kms:EncryptionContextKeys`), and CreateGrant's
    `kms:GrantOperations` and `kms:GranteePrincipal`
    ([AWS](https://docs.aws.amazon.com/kms/latest/developerguide/policy-conditions.html))."""
    keys: dict[str, Any] = {"kms:calleraccount": principal.account}
    if check.encryption_context:
        keys["kms:encryptioncontextkeys"] = list(check.encryption_context)
        for key, value in check.encryption_context.items():
            keys[f"kms:encryptioncontext:{key.lower()}"] = value
    if check.action == "kms:CreateGrant":
        keys["kms:grantoperations"] = list(params.get("Operations") or [])
        if params.get("GranteePrincipal"):
            keys["kms:granteeprincipal"] = params["GranteePrincipal"]
    return keys


def _constraints_hold(grant: Mapping[str, Any], context: Mapping[str, str] | None) -> bool:
    """A grant's encryption context constraints: `EncryptionContextEquals` needs exactly these pairs,
    `EncryptionContextSubset` at least these
    ([AWS](https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html))."""
    constraints = grant.get("Constraints") or {}
    given = dict(context or {})
    equals = constraints.get("EncryptionContextEquals")
    if equals is not None and dict(equals) != given:
        return False
    subset = constraints.get("EncryptionContextSubset")
    return subset is None or all(given.get(k) == v for k, v in dict(subset).items())


def grant_allows(principal: Principal, check: KeyCheck) -> Callable[[], bool]:
    """Whether one of the key's grants gives `principal` this operation (its grantee principal is
    the caller, the caller's role, or, for the account's root, the account)."""
    operation = check.action.split(":", 1)[1]
    names = {principal.arn, principal.role_arn}
    if principal.kind == ROOT:
        names.add(f"arn:aws:iam::{principal.account}:root")

    def allows() -> bool:
        return any(grant.get("GranteePrincipal") in names and operation in (grant.get("Operations") or [])
                   and _constraints_hold(grant, check.encryption_context) for grant in check.grants)

    return allows
