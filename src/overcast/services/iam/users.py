"""IAM users and their access keys, as JSON documents in SQLite, scoped by account.

A user's document keeps its inline policies (`_inline`), attached managed policies (`_attached`) and
permissions boundary; an access key row keeps its secret, so that signatures made with it can be
verified, and names the user it acts as (docs/iam.md).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.iam.models import DeleteConflict, EntityAlreadyExists, NoSuchEntity

_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class LimitExceeded(ServiceError):
    code = "LimitExceeded"
    status = 409
    sender_fault = True


@dataclass
class AccessKey:
    access_key: str
    account: str
    user_name: str
    secret: str
    status: str


class UserStore:
    """Users and access keys of every account (`platform.component(UserStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    def get(self, account: str, name: str) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM iam_users WHERE account=? AND name=?", (account, name))
        if row is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return json.loads(row["doc"])

    def find(self, account: str, name: str) -> dict[str, Any] | None:
        try:
            return self.get(account, name)
        except NoSuchEntity:
            return None

    def put(self, account: str, user: dict[str, Any], *, create: bool = False) -> None:
        if create and self.find(account, user["UserName"]) is not None:
            raise EntityAlreadyExists(f"User with name {user['UserName']} already exists.")
        self.db.execute("INSERT OR REPLACE INTO iam_users(account, name, doc) VALUES (?, ?, ?)",
                        (account, user["UserName"], json.dumps(user)))

    def delete(self, account: str, name: str) -> None:
        user = self.get(account, name)
        if user.get("_attached") or user.get("_inline") or self.keys(account, name):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if self.groups_of(account, name):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        self.db.execute("DELETE FROM iam_users WHERE account=? AND name=?", (account, name))

    def users(self, account: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM iam_users WHERE account=? ORDER BY name", (account,))
        return [json.loads(r["doc"]) for r in rows]

    # -- access keys ---------------------------------------------------------------------------

    def create_key(self, account: str, user_name: str) -> AccessKey:
        """A new active key pair for the user (AWS allows two per user)."""
        self.get(account, user_name)
        if len(self.keys(account, user_name)) >= 2:
            raise LimitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
        key = AccessKey("AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)), account, user_name,
                        secrets.token_urlsafe(30)[:40], "Active")
        self.db.execute("INSERT INTO iam_access_keys(access_key, account, user_name, secret, status, created) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (key.access_key, account, user_name, key.secret, key.status, self.clock.now()))
        return key

    def keys(self, account: str, user_name: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT access_key, status, created FROM iam_access_keys WHERE account=? AND "
                             "user_name=? ORDER BY created", (account, user_name))
        return [{"UserName": user_name, "AccessKeyId": r["access_key"], "Status": r["status"],
                 "CreateDate": r["created"]} for r in rows]

    def key(self, access_key: str) -> AccessKey | None:
        """The IAM access key `access_key`, if IAM issued it."""
        if not access_key.startswith("AKIA"):
            return None
        row = self.db.query_one("SELECT * FROM iam_access_keys WHERE access_key=?", (access_key,))
        if row is None:
            return None
        return AccessKey(row["access_key"], row["account"], row["user_name"], row["secret"], row["status"])

    def set_key_status(self, account: str, user_name: str, access_key: str, status: str) -> None:
        found = self.key(access_key)
        if found is None or found.account != account or found.user_name != user_name:
            raise NoSuchEntity(f"The Access Key with id {access_key} cannot be found.")
        self.db.execute("UPDATE iam_access_keys SET status=? WHERE access_key=?", (status, access_key))

    def delete_key(self, account: str, user_name: str, access_key: str) -> None:
        found = self.key(access_key)
        if found is None or found.account != account or found.user_name != user_name:
            raise NoSuchEntity(f"The Access Key with id {access_key} cannot be found.")
        self.db.execute("DELETE FROM iam_access_keys WHERE access_key=?", (access_key,))

    # -- groups ---------------------------------------------------------------------------------

    def group(self, account: str, name: str) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM iam_groups WHERE account=? AND name=?", (account, name))
        if row is None:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        return json.loads(row["doc"])

    def put_group(self, account: str, group: dict[str, Any], *, create: bool = False) -> None:
        if create and self.db.query_one("SELECT 1 FROM iam_groups WHERE account=? AND name=?",
                                        (account, group["GroupName"])):
            raise EntityAlreadyExists(f"Group with name {group['GroupName']} already exists.")
        self.db.execute("INSERT OR REPLACE INTO iam_groups(account, name, doc) VALUES (?, ?, ?)",
                        (account, group["GroupName"], json.dumps(group)))

    def delete_group(self, account: str, name: str) -> None:
        group = self.group(account, name)
        if group.get("_members"):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        if group.get("_attached") or group.get("_inline"):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        self.db.execute("DELETE FROM iam_groups WHERE account=? AND name=?", (account, name))

    def groups(self, account: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM iam_groups WHERE account=? ORDER BY name", (account,))
        return [json.loads(r["doc"]) for r in rows]

    def groups_of(self, account: str, user_name: str) -> list[dict[str, Any]]:
        """The groups `user_name` belongs to (their policies apply to the user)."""
        return [g for g in self.groups(account) if user_name in g.get("_members", [])]

