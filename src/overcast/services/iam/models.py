"""Roles and managed policies as JSON documents in SQLite, scoped by account (IAM is global)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from overcast import documents
from overcast.authz.conditions import known_operator
from overcast.authz.managed import managed_policy
from overcast.errors import ServiceError
from overcast.platform import Platform


class NoSuchEntity(ServiceError):
    code = "NoSuchEntity"
    status = 404
    sender_fault = True


class EntityAlreadyExists(ServiceError):
    code = "EntityAlreadyExists"
    status = 409
    sender_fault = True


class DeleteConflict(ServiceError):
    code = "DeleteConflict"
    status = 409
    sender_fault = True


class MalformedPolicyDocument(ServiceError):
    code = "MalformedPolicyDocument"
    status = 400
    sender_fault = True


def unique_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(17))


class LimitExceeded(ServiceError):
    code = "LimitExceeded"
    status = 409
    sender_fault = True


#: IAM's policy size quotas, in characters not counting white space
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)
MANAGED_POLICY_SIZE = 6144
ROLE_TRUST_POLICY_SIZE = 2048
ROLE_INLINE_POLICY_SIZE = 10240
#: the quota on the *sum* of an identity's inline policies, by kind of identity (same page)
INLINE_POLICY_SIZES = {"user": 2048, "role": ROLE_INLINE_POLICY_SIZE, "group": 5120}
#: tags per IAM user, role, customer managed policy or instance profile (same page)
TAGS_PER_ENTITY = 50


def policy_size(document: str) -> int:
    """A policy's size as IAM's quotas count it: characters other than white space."""
    return len("".join(document.split()))


def check_inline_policy(kind: str, name: str, inline: dict[str, str], policy_name: str, document: str) -> None:
    """An inline policy put on user, role or group `name` (which already has `inline`): its grammar,
    then IAM's quota on the sum of the identity's inline policies, the one being replaced not
    counted twice ("Maximum policy size of 2048 bytes exceeded for user NAME")."""
    check_identity_policy(document)
    limit = INLINE_POLICY_SIZES[kind]
    total = policy_size(document) + sum(policy_size(text) for other, text in inline.items() if other != policy_name)
    if total > limit:
        raise LimitExceeded(f"Maximum policy size of {limit} bytes exceeded for {kind} {name}")


def merged_tags(existing: list[dict[str, str]] | None, added: list[dict[str, str]], entity: str
                ) -> list[dict[str, str]]:
    """`existing` tags with `added` put over them (a key tagged again takes the new value); more than
    IAM's 50 tags on the entity is `LimitExceeded` in IAM's quota wording ("Cannot exceed quota for
    TagsPerRole: 50"), whether the request itself or the merged set is over."""
    merged = {t["Key"]: t["Value"] for t in existing or []}
    merged.update({t["Key"]: t["Value"] for t in added})
    if len(merged) > TAGS_PER_ENTITY or len(added) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"Cannot exceed quota for TagsPer{entity}: {TAGS_PER_ENTITY}")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def check_policy(document: str, limit: int = 0, message: str = "") -> None:
    """A policy document must be JSON with a `Statement`, and (given `limit`) no larger than its
    quota, counted as IAM counts it: characters other than white space (`message` when over)."""
    try:
        parsed = documents.loads(document)
    except ValueError:
        raise MalformedPolicyDocument("This policy contains invalid Json") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise MalformedPolicyDocument("Syntax errors in policy.")
    if limit and len("".join(document.split())) > limit:
        raise LimitExceeded(message)


def check_identity_policy(document: str, limit: int = 0, message: str = "") -> None:
    """An identity-based policy's grammar, as IAM checks it when it is stored (a statement it would
    never match is refused rather than silently granting nothing): each statement has an Effect of
    Allow or Deny, actions, resources, no principal, and known condition operators."""
    check_policy(document, limit, message)
    parsed = json.loads(document)
    statements = parsed["Statement"] if isinstance(parsed["Statement"], list) else [parsed["Statement"]]
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocument("Syntax errors in policy.")
        if "Principal" in statement or "NotPrincipal" in statement:
            raise MalformedPolicyDocument("Policy document should not specify a principal.")
        if "Action" not in statement and "NotAction" not in statement:
            raise MalformedPolicyDocument("Policy statement must contain actions.")
        if "Resource" not in statement and "NotResource" not in statement:
            raise MalformedPolicyDocument("Policy statement must contain resources.")
        condition = statement.get("Condition") or {}
        if not isinstance(condition, dict) or not all(known_operator(op) for op in condition):
            raise MalformedPolicyDocument("Syntax errors in policy.")


class IamStore:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    # roles
    def get_role(self, account: str, name: str) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM iam_roles WHERE account=? AND name=?", (account, name))
        if row is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return json.loads(row["doc"])

    def put_role(self, account: str, role: dict[str, Any], *, create: bool = False) -> None:
        if create and self.db.query_one(
            "SELECT 1 FROM iam_roles WHERE account=? AND name=?", (account, role["RoleName"])
        ):
            raise EntityAlreadyExists(f"Role with name {role['RoleName']} already exists.")
        self.db.execute(
            "INSERT OR REPLACE INTO iam_roles(account, name, doc) VALUES (?, ?, ?)",
            (account, role["RoleName"], json.dumps(role)),
        )

    def delete_role(self, account: str, name: str) -> None:
        role = self.get_role(account, name)
        if role.get("_attached") or role.get("_inline"):
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        self.db.execute("DELETE FROM iam_roles WHERE account=? AND name=?", (account, name))

    def roles(self, account: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM iam_roles WHERE account=? ORDER BY name", (account,))
        return [json.loads(r["doc"]) for r in rows]

    # managed policies
    def get_policy(self, account: str, arn: str) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM iam_policies WHERE account=? AND arn=?", (account, arn))
        if row is not None:
            return json.loads(row["doc"])
        found = managed_policy(arn)
        if found is not None:
            # AWS managed policies: those applications commonly attach with their real documents
            # (authz/managed.py); an ARN AWS has no policy at does not exist, as on AWS
            name, path, document = found
            return {"PolicyName": name, "PolicyId": "ANPA" + name.upper()[:17].ljust(17, "X"), "Arn": arn,
                    "Path": path, "DefaultVersionId": "v1", "AttachmentCount": 0, "IsAttachable": True,
                    "CreateDate": 0.0, "UpdateDate": 0.0, "_document": json.dumps(document)}
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")

    def put_policy(self, account: str, policy: dict[str, Any], *, create: bool = False) -> None:
        if create and self.db.query_one(
            "SELECT 1 FROM iam_policies WHERE account=? AND arn=?", (account, policy["Arn"])
        ):
            raise EntityAlreadyExists(f"A policy called {policy['PolicyName']} already exists. Duplicate names are not allowed.")
        self.db.execute(
            "INSERT OR REPLACE INTO iam_policies(account, arn, doc) VALUES (?, ?, ?)",
            (account, policy["Arn"], json.dumps(policy)),
        )

    def delete_policy(self, account: str, arn: str) -> None:
        policy = self.get_policy(account, arn)
        if policy.get("AttachmentCount"):
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        self.db.execute("DELETE FROM iam_policies WHERE account=? AND arn=?", (account, arn))

    def policy_document(self, account: str, arn: str) -> str | None:
        """A managed policy's default version's document, or None when it does not exist."""
        try:
            return str(self.get_policy(account, arn)["_document"])
        except NoSuchEntity:
            return None

    def policies(self, account: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM iam_policies WHERE account=? ORDER BY arn", (account,))
        return [json.loads(r["doc"]) for r in rows]
