"""Cognito user pools' state: pools, app clients, users, groups, auth sessions, confirmation codes
and refresh tokens, as JSON documents in `cognito_docs` (kinds `pool`, `client`, `user`, `group`
under their pool; `session`, `refresh`, `code`). Pool and client ids are random, so a pool or a
client is also found by its id alone: the unsigned operations (SignUp, InitiateAuth...) name only
a client id, and its pool decides the account and region."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import uuid
from typing import Any

from overcast.platform import Platform
from overcast.services.cognito_idp.errors import (
    InvalidPassword,
    NotAuthorized,
    ResourceNotFound,
    UserNotFound,
)
from overcast.storage.documents import Documents

_ID_CHARS = string.ascii_letters + string.digits

#: AWS's default password policy (CreateUserPool without Policies)
DEFAULT_POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
                  "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def random_id(length: int, chars: str = _ID_CHARS) -> str:
    return "".join(secrets.choice(chars) for _ in range(length))


def new_pool_id(region: str) -> str:
    return f"{region}_{random_id(9)}"


def new_client_id() -> str:
    return random_id(26, string.ascii_lowercase + string.digits)


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """SECRET_HASH: Base64(HMAC-SHA256(client secret, username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1000).hex()
    return f"{salt}${digest}"


def password_matches(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(stored, hash_password(password, salt))


def check_password(pool: dict[str, Any], password: str) -> None:
    """The pool's password policy, with AWS's messages (InvalidPasswordException)."""
    policy = {**DEFAULT_POLICY, **((pool.get("Policies") or {}).get("PasswordPolicy") or {})}
    prefix = "Password did not conform with policy: "
    if len(password) < int(policy.get("MinimumLength") or 0):
        raise InvalidPassword(prefix + "Password not long enough")
    if policy.get("RequireUppercase") and not any(c.isupper() for c in password):
        raise InvalidPassword(prefix + "Password must have uppercase characters")
    if policy.get("RequireLowercase") and not any(c.islower() for c in password):
        raise InvalidPassword(prefix + "Password must have lowercase characters")
    if policy.get("RequireNumbers") and not any(c.isdigit() for c in password):
        raise InvalidPassword(prefix + "Password must have numeric characters")
    if policy.get("RequireSymbols") and not any(c in SYMBOLS for c in password):
        raise InvalidPassword(prefix + "Password must have symbol characters")


class CognitoStore:
    """Documents of every pool, plus the lookups the operations share (`platform.component`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.docs = Documents(platform.db, "cognito_docs")

    # -- pools and clients ------------------------------------------------------------------
    def pool(self, pool_id: str, account: str | None = None) -> tuple[str, str, dict[str, Any]]:
        """(account, region, pool); ResourceNotFoundException when there is no such pool."""
        found = self.docs.find("pool", pool_id)
        if found is None or (account is not None and found[0] != account):
            raise ResourceNotFound(f"User pool {pool_id} does not exist.")
        return found

    def put_pool(self, account: str, region: str, pool: dict[str, Any]) -> None:
        self.docs.put(account, region, "pool", pool["Id"], pool)

    def client(self, client_id: str) -> tuple[str, str, dict[str, Any]]:
        found = self.docs.find("client", client_id)
        if found is None:
            raise ResourceNotFound(f"User pool client {client_id} does not exist.")
        return found

    def pool_client(self, pool_id: str, client_id: str) -> dict[str, Any]:
        found = self.docs.find("client", client_id)
        if found is None or found[2]["UserPoolId"] != pool_id:
            raise ResourceNotFound(f"User pool client {client_id} does not exist.")
        return found[2]

    # -- users ------------------------------------------------------------------------------
    def _key(self, pool: dict[str, Any], username: str) -> str:
        sensitive = (pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
        return username if sensitive else username.lower()

    def find_user(self, account: str, region: str, pool: dict[str, Any], name: str) -> dict[str, Any] | None:
        """A user by username, or by an attribute the pool signs in with (email, phone_number,
        preferred_username as UsernameAttributes or AliasAttributes)."""
        user = self.docs.get(account, region, "user", self._key(pool, name), pool["Id"])
        if user is not None:
            return user
        names = pool.get("UsernameAttributes") or []
        aliases = pool.get("AliasAttributes") or []
        if not names and not aliases:
            return None
        for candidate in self.docs.list(account, region, "user", pool["Id"]):
            attributes = candidate.get("Attributes", {})
            if any(attributes.get(a) == name for a in names) or any(
                    attributes.get(a) == name and (a == "preferred_username" or attributes.get(f"{a}_verified") == "true")
                    for a in aliases):
                return candidate  # AWS: an email or phone number is an alias once verified
        return None

    def user(self, account: str, region: str, pool: dict[str, Any], name: str) -> dict[str, Any]:
        user = self.find_user(account, region, pool, name)
        if user is None:
            raise UserNotFound("User does not exist.")
        return user

    def put_user(self, account: str, region: str, pool: dict[str, Any], user: dict[str, Any]) -> None:
        if self.docs.get(account, region, "user", self._key(pool, user["Username"]), pool["Id"]) is not None:
            user["UserLastModifiedDate"] = self.platform.clock.now()
        self.docs.put(account, region, "user", self._key(pool, user["Username"]), user, pool["Id"])

    def delete_user(self, account: str, region: str, pool: dict[str, Any], user: dict[str, Any]) -> None:
        self.docs.delete(account, region, "user", self._key(pool, user["Username"]), pool["Id"])

    def users(self, account: str, region: str, pool_id: str) -> list[dict[str, Any]]:
        return self.docs.list(account, region, "user", pool_id)

    def new_user(self, username: str, attributes: dict[str, str]) -> dict[str, Any]:
        now = self.platform.clock.now()
        sub = attributes.get("sub") or str(uuid.uuid4())
        return {"Username": username, "Attributes": {**attributes, "sub": sub}, "UserCreateDate": now,
                "UserLastModifiedDate": now, "Enabled": True, "UserStatus": "UNCONFIRMED", "_groups": []}

    # -- sessions, codes and refresh tokens -------------------------------------------------
    def new_session(self, account: str, region: str, doc: dict[str, Any], ttl: float = 180,
                    session: str | None = None) -> str:
        """An auth session (a challenge awaiting its answer), valid `ttl` AWS seconds."""
        session = session or base64.urlsafe_b64encode(secrets.token_bytes(96)).decode().rstrip("=")
        self.docs.put(account, region, "session", session[:64],
                      {**doc, "_expires": self.platform.clock.later(ttl)})
        return session

    def take_session(self, session: str | None) -> dict[str, Any]:
        found = self.docs.find("session", (session or "")[:64])
        if found is None or found[2]["_expires"] < self.platform.clock.now():
            raise NotAuthorized("Invalid session for the user.")
        return found[2]

    def update_session(self, account: str, region: str, session: str, doc: dict[str, Any]) -> None:
        """Keep a session's changed state (its expiry unchanged)."""
        self.docs.put(account, region, "session", session[:64], doc)

    def end_session(self, account: str, region: str, session: str) -> None:
        self.docs.delete(account, region, "session", session[:64])

    def put_code(self, account: str, region: str, pool_id: str, doc: dict[str, Any]) -> None:
        """A confirmation or verification code sent (kept for the admin route and checks)."""
        self.docs.put(account, region, "code", f"{doc['Username']}:{doc['Purpose']}",
                      {**doc, "UserPoolId": pool_id, "CreatedAt": self.platform.clock.now(),
                       "_expires": self.platform.clock.later(24 * 3600)}, pool_id)

    def code(self, account: str, region: str, pool_id: str, username: str, purpose: str) -> dict[str, Any] | None:
        return self.docs.get(account, region, "code", f"{username}:{purpose}", pool_id)

    def drop_code(self, account: str, region: str, pool_id: str, username: str, purpose: str) -> None:
        self.docs.delete(account, region, "code", f"{username}:{purpose}", pool_id)

    def all_codes(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM cognito_docs WHERE kind='code' ORDER BY seq")
        return [{k: v for k, v in json.loads(r["doc"]).items() if not k.startswith("_")} for r in rows]

    def put_refresh(self, account: str, region: str, token: str, doc: dict[str, Any]) -> None:
        self.docs.put(account, region, "refresh", hashlib.sha256(token.encode()).hexdigest(), doc)

    def refresh(self, token: str) -> tuple[str, str, dict[str, Any]] | None:
        return self.docs.find("refresh", hashlib.sha256(token.encode()).hexdigest())

    def revoke_refresh(self, account: str, region: str, token: str) -> None:
        self.docs.delete(account, region, "refresh", hashlib.sha256(token.encode()).hexdigest())

    def revoke_user_tokens(self, account: str, region: str, pool_id: str, username: str) -> None:
        """GlobalSignOut: every refresh token of the user goes."""
        rows = self.db.query("SELECT id, doc FROM cognito_docs WHERE account=? AND region=? AND kind='refresh'",
                             (account, region))
        for row in rows:
            doc = json.loads(row["doc"])
            if doc.get("UserPoolId") == pool_id and doc.get("Username") == username:
                self.docs.delete(account, region, "refresh", row["id"])

    # -- groups -----------------------------------------------------------------------------
    def group(self, account: str, region: str, pool_id: str, name: str) -> dict[str, Any]:
        group = self.docs.get(account, region, "group", name, pool_id)
        if group is None:
            raise ResourceNotFound("Group not found.")
        return group

    def groups(self, account: str, region: str, pool_id: str) -> list[dict[str, Any]]:
        return self.docs.list(account, region, "group", pool_id)

    def delete_pool(self, account: str, region: str, pool_id: str) -> None:
        self.docs.delete_under(account, region, pool_id)
        self.docs.delete(account, region, "pool", pool_id)
