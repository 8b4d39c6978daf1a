"""KMS keys, their key material and aliases in SQLite, and the rules every operation shares: how a key
is named (id, ARN, alias, alias ARN), which key states allow cryptography, AWS-managed keys made on
first use, and the timers (scheduled deletion, automatic rotation) on the platform clock.

A key is a JSON document: `Metadata` (KeyMetadata, as DescribeKey answers it, without the computed
MultiRegionConfiguration), `Policy`, `Tags`, `Rotation`, `DeletesAt` (when a scheduled deletion takes
effect, on the platform clock) and `Primary` (multi-Region keys). Material versions are rows of
`kms_material`; version 1 is the key's original material.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from overcast.platform import Platform
from overcast.services.kms import keyspecs
from overcast.services.kms.errors import (
    DisabledException,
    KMSInvalidStateException,
    NotFoundException,
)

Doc = dict[str, Any]
DAY = 86400.0
KEY_ID = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)
ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)$")
AWS_ALIAS = "alias/aws/"

#: descriptions AWS gives the AWS-managed keys it creates for these services
AWS_KEY_DESCRIPTIONS = {
    "s3": "Default key that protects my S3 objects when no other key is defined",
    "sqs": "Default key that protects my SQS messages when no other key is defined",
    "sns": "Default key that protects my SNS data when no other key is defined",
    "lambda": "Default key that protects my Lambda functions when no other key is defined",
    "dynamodb": "Default key that protects my DynamoDB data when no other key is defined",
    "secretsmanager": "Default key that protects my Secrets Manager data when no other key is defined",
    "ssm": "Default key that protects my SSM parameters when no other key is defined",
    "logs": "Default key that protects my CloudWatch Logs data when no other key is defined",
}


def key_arn(account: str, region: str, key_id: str) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def alias_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{account}:{name}"


def default_policy(account: str) -> str:
    """The key policy KMS gives a key created without one, in the layout GetKeyPolicy returns
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)."""
    return ('{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
            '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n'
            f'      "AWS" : "arn:aws:iam::{account}:root"\n    }},\n    "Action" : "kms:*",\n'
            '    "Resource" : "*"\n  } ]\n}')


def aws_managed_policy(account: str, service: str, region: str) -> str:
    """The policy of an AWS-managed key: any principal of the account, through the service's
    regional endpoint (`kms:ViaService` is `<service>.<region>.amazonaws.com`, as AWS writes it)."""
    return json.dumps({"Version": "2012-10-17", "Id": f"auto-{service}-1", "Statement": [{
        "Sid": "Allow access through the service for all principals in the account that are authorized to use it",
        "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                   "kms:DescribeKey"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": account,
                                       "kms:ViaService": f"{service}.{region}.amazonaws.com"}}}, {
        "Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]}, indent=2)


def new_key_id(multi_region: bool) -> str:
    return f"mrk-{uuid.uuid4().hex}" if multi_region else str(uuid.uuid4())


def material_id(material: bytes) -> str:
    """A key material's id (64 hex digits, as CurrentKeyMaterialId), not revealing the material."""
    return hashlib.sha256(b"overcast-kms-material-id" + material).hexdigest()


class KmsStore:
    """The KMS tables of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    # -- keys ---------------------------------------------------------------------------------

    def create(self, account: str, region: str, *, spec: str, usage: str, description: str = "",
               origin: str = "AWS_KMS", multi_region: bool = False, manager: str = "CUSTOMER",
               policy: str | None = None, tags: list[dict[str, str]] | None = None,
               key_id: str | None = None, material: bytes | None = None, primary: bool = True,
               created: float | None = None, generate: bool = True) -> Doc:
        """Create a key (with fresh material unless its origin is EXTERNAL or `generate` is false:
        a replica copies its primary's) and return its document."""
        key_id = key_id or new_key_id(multi_region)
        now = created if created is not None else self.clock.now()
        external = origin == "EXTERNAL"
        meta: Doc = {
            "AWSAccountId": account, "KeyId": key_id, "Arn": key_arn(account, region, key_id),
            "CreationDate": now, "Enabled": not external, "Description": description, "KeyUsage": usage,
            "KeyState": "PendingImport" if external else "Enabled", "Origin": origin, "KeyManager": manager,
            "CustomerMasterKeySpec": spec, "KeySpec": spec, "MultiRegion": multi_region,
            **keyspecs.algorithms(spec, usage),
        }
        doc: Doc = {"Metadata": meta, "Policy": policy or default_policy(account), "Tags": list(tags or []),
                    "Rotation": {"Enabled": False, "PeriodInDays": 365}, "Primary": primary}
        if manager == "AWS":  # AWS-managed keys rotate every year
            self.schedule_rotation(doc, 365)
        with self.db.tx():
            if generate and not external:
                secret = material if material is not None else keyspecs.new_material(spec)
                self.add_material(account, region, key_id, 1, secret, "NEW_KEY_MATERIAL")
                meta["CurrentKeyMaterialId"] = material_id(secret) if spec == keyspecs.SYMMETRIC else None
                if meta["CurrentKeyMaterialId"] is None:
                    del meta["CurrentKeyMaterialId"]
            self.put(account, region, doc)
        return doc

    def put(self, account: str, region: str, doc: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO kms_keys(account, region, key_id, doc) VALUES (?, ?, ?, ?)",
                        (account, region, doc["Metadata"]["KeyId"], json.dumps(doc)))

    def get(self, account: str, region: str, key_id: str) -> Doc | None:
        """A key by id, after applying its due timers (a key whose deletion came is gone)."""
        row = self.db.query_one("SELECT doc FROM kms_keys WHERE account=? AND region=? AND key_id=?",
                                (account, region, key_id))
        if row is None:
            return None
        return self._due(account, region, json.loads(row["doc"]))

    def keys(self, account: str, region: str) -> list[Doc]:
        rows = self.db.query("SELECT doc FROM kms_keys WHERE account=? AND region=? ORDER BY key_id",
                             (account, region))
        found = (self._due(account, region, json.loads(r["doc"])) for r in rows)
        return [d for d in found if d is not None]

    def regions_of(self, account: str, key_id: str) -> list[tuple[str, Doc]]:
        """Every region holding a key with this id (a multi-Region key's primary and replicas)."""
        rows = self.db.query("SELECT region, doc FROM kms_keys WHERE account=? AND key_id=? ORDER BY region",
                             (account, key_id))
        return [(r["region"], json.loads(r["doc"])) for r in rows]

    def delete(self, account: str, region: str, key_id: str) -> None:
        """Remove a key for good: its material, aliases and grants go with it."""
        with self.db.tx():
            for table in ("kms_keys", "kms_material", "kms_aliases", "kms_grants"):
                self.db.execute(f"DELETE FROM {table} WHERE account=? AND region=? AND key_id=?",
                                (account, region, key_id))

    def _due(self, account: str, region: str, doc: Doc) -> Doc | None:
        """Apply the timers that came while nobody looked: a scheduled deletion (the key is deleted
        when its waiting period ends) and automatic rotation (new material on NextRotationDate)."""
        now = self.clock.now()
        deletes_at = doc.get("DeletesAt")
        if deletes_at is not None and now >= deletes_at:
            self.delete(account, region, doc["Metadata"]["KeyId"])
            return None
        expires_at = doc.get("ExpiresAt")
        if expires_at is not None and now >= expires_at:  # imported material past its ValidTo is deleted
            self.expire_material(account, region, doc)
        rotation = doc.get("Rotation") or {}
        if (rotation.get("Enabled") and rotation.get("Next") and now >= rotation["Next"]
                and doc["Metadata"]["KeyState"] == "Enabled"):
            self.rotate(account, region, doc, "AUTOMATIC")
            self.schedule_rotation(doc, rotation.get("PeriodInDays", 365))
            self.put(account, region, doc)
        return doc

    def schedule_rotation(self, doc: Doc, days: int) -> None:
        """Turn automatic rotation on: the next one `days` from now, on the platform clock
        (`Next`), shown as the real date AWS would give (`NextDate`)."""
        doc["Rotation"] = {"Enabled": True, "PeriodInDays": days, "Next": self.clock.later(days * DAY),
                           "NextDate": self.clock.now() + days * DAY}

    def expire_material(self, account: str, region: str, doc: Doc) -> None:
        """Imported material deleted (expired or DeleteImportedKeyMaterial): the key waits for an
        import again (PendingImport, disabled)."""
        meta = doc["Metadata"]
        with self.db.tx():
            self.db.execute("DELETE FROM kms_material WHERE account=? AND region=? AND key_id=?",
                            (account, region, meta["KeyId"]))
            doc.pop("ExpiresAt", None)
            meta.pop("ValidTo", None)
            meta.pop("ExpirationModel", None)
            meta.pop("CurrentKeyMaterialId", None)
            if meta["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion"):
                meta.update(KeyState="PendingImport", Enabled=False)
            self.put(account, region, doc)

    # -- key material -------------------------------------------------------------------------

    def add_material(self, account: str, region: str, key_id: str, version: int, material: bytes,
                     kind: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO kms_material(account, region, key_id, version, material, "
                        "material_id, created, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (account, region, key_id, version, material, material_id(material), self.clock.now(),
                         kind))

    def material(self, account: str, region: str, key_id: str, version: int | None = None) -> tuple[int, bytes]:
        """(version, material): the given version, or the current (newest) one."""
        if version is None:
            row = self.db.query_one("SELECT version, material FROM kms_material WHERE account=? AND region=? "
                                    "AND key_id=? ORDER BY version DESC LIMIT 1", (account, region, key_id))
        else:
            row = self.db.query_one("SELECT version, material FROM kms_material WHERE account=? AND region=? "
                                    "AND key_id=? AND version=?", (account, region, key_id, version))
        if row is None:
            raise KeyError(key_id)
        return int(row["version"]), bytes(row["material"])

    def rotations(self, account: str, region: str, key_id: str, include_original: bool = False) -> list[Doc]:
        """Every material version after the first (and the first too, if asked): ListKeyRotations' entries."""
        rows = self.db.query("SELECT material_id, created, kind FROM kms_material WHERE account=? AND region=? "
                             "AND key_id=? AND version > ? ORDER BY version",
                             (account, region, key_id, 0 if include_original else 1))
        return [{"KeyId": key_id, "RotationDate": r["created"], "RotationType": r["kind"],
                 "KeyMaterialId": r["material_id"]} for r in rows]

    def rotate(self, account: str, region: str, doc: Doc, kind: str) -> None:
        """New key material for a symmetric key, in every region of a multi-Region key (AWS rotates a
        multi-Region key's material in its primary and shares it with the replicas). Ciphertexts
        made under earlier material still decrypt: the blob names its material version."""
        key_id = doc["Metadata"]["KeyId"]
        version, _ = self.material(account, region, key_id)
        secret = keyspecs.new_material(doc["Metadata"]["KeySpec"])
        with self.db.tx():
            for other, other_doc in self.regions_of(account, key_id) or [(region, doc)]:
                self.add_material(account, other, key_id, version + 1, secret, kind)
                target = doc if other == region else other_doc
                target["Metadata"]["CurrentKeyMaterialId"] = material_id(secret)
                if other != region:
                    self.put(account, other, target)
            self.put(account, region, doc)

    # -- aliases ------------------------------------------------------------------------------

    def alias(self, account: str, region: str, name: str) -> Doc | None:
        row = self.db.query_one("SELECT * FROM kms_aliases WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        return self._alias_view(account, region, row) if row else None

    def aliases(self, account: str, region: str, key_id: str | None = None) -> list[Doc]:
        if key_id is None:
            rows = self.db.query("SELECT * FROM kms_aliases WHERE account=? AND region=? ORDER BY name",
                                 (account, region))
        else:
            rows = self.db.query("SELECT * FROM kms_aliases WHERE account=? AND region=? AND key_id=? "
                                 "ORDER BY name", (account, region, key_id))
        return [self._alias_view(account, region, r) for r in rows]

    @staticmethod
    def _alias_view(account: str, region: str, row: Any) -> Doc:
        return {"AliasName": row["name"], "AliasArn": alias_arn(account, region, row["name"]),
                "TargetKeyId": row["key_id"], "CreationDate": row["created"], "LastUpdatedDate": row["updated"]}

    def put_alias(self, account: str, region: str, name: str, key_id: str) -> None:
        now = self.clock.now()
        existing = self.alias(account, region, name)
        created = existing["CreationDate"] if existing else now
        self.db.execute("INSERT OR REPLACE INTO kms_aliases(account, region, name, key_id, created, updated) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (account, region, name, key_id, created, now))

    def delete_alias(self, account: str, region: str, name: str) -> None:
        self.db.execute("DELETE FROM kms_aliases WHERE account=? AND region=? AND name=?", (account, region, name))

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, account: str, region: str, key_id: str, *, create_aws: bool = True) -> Doc:
        """The key `key_id` names: a key id, key ARN, alias name or alias ARN. A predefined AWS alias
        (`alias/aws/<service>`) with no key yet gets its AWS-managed key now, as KMS creates one on
        first use (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key)."""
        match = ARN.match(key_id)
        if match:
            if match.group(1) != region:  # KMS is regional: another region's key is not found here
                raise NotFoundException(f"Invalid arn {match.group(1)}")
            account, kind, rest = match.group(2), match.group(3), match.group(4)
            name = f"alias/{rest}" if kind == "alias" else rest
            if kind == "key":
                return self._key_or_missing(account, region, name)
            return self._by_alias(account, region, name, create_aws)
        if key_id.startswith("alias/"):
            return self._by_alias(account, region, key_id, create_aws)
        if not KEY_ID.match(key_id):
            raise NotFoundException(f"Invalid keyId {key_id}")
        return self._key_or_missing(account, region, key_id)

    def _key_or_missing(self, account: str, region: str, key_id: str) -> Doc:
        doc = self.get(account, region, key_id)
        if doc is None:
            raise NotFoundException(f"Key '{key_arn(account, region, key_id)}' does not exist")
        return doc

    def _by_alias(self, account: str, region: str, name: str, create_aws: bool) -> Doc:
        alias = self.alias(account, region, name)
        if alias is None and create_aws and name.startswith(AWS_ALIAS) and len(name) > len(AWS_ALIAS):
            return self.aws_managed(account, region, name[len(AWS_ALIAS):])
        doc = self.get(account, region, alias["TargetKeyId"]) if alias else None
        if doc is None:
            raise NotFoundException(f"Alias {alias_arn(account, region, name)} is not found.")
        return doc

    def aws_managed(self, account: str, region: str, service: str) -> Doc:
        """The AWS-managed key of `service` (alias/aws/<service>), created the first time it is used."""
        name = AWS_ALIAS + service
        with self.db.tx():
            alias = self.alias(account, region, name)
            doc = self.get(account, region, alias["TargetKeyId"]) if alias else None
            if doc is None:
                description = AWS_KEY_DESCRIPTIONS.get(
                    service, f"Default key that protects my {service} data when no other key is defined")
                doc = self.create(account, region, spec=keyspecs.SYMMETRIC, usage="ENCRYPT_DECRYPT",
                                  description=description, manager="AWS",
                                  policy=aws_managed_policy(account, service, region))
                self.put_alias(account, region, name, doc["Metadata"]["KeyId"])
        return doc


def usable(doc: Doc) -> None:
    """Raise KMS's error unless the key's state allows cryptographic operations
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html)."""
    meta = doc["Metadata"]
    state = meta["KeyState"]
    if state == "Enabled":
        return
    if state == "Disabled":
        raise DisabledException(f"{meta['Arn']} is disabled.")
    wording = {"PendingDeletion": "pending deletion", "PendingImport": "pending import",
               "PendingReplicaDeletion": "pending replica deletion"}.get(state, state.lower())
    raise KMSInvalidStateException(f"{meta['Arn']} is {wording}.")
