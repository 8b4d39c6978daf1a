"""CloudFront's control-plane state as documents (member names of the API's shapes; private keys
start with `_`), ids and ETags as AWS shapes them, and the timers that take a distribution from
`InProgress` to `Deployed` and an invalidation to `Completed`."""

from __future__ import annotations

import secrets
from typing import Any

from overcast.platform import Platform
from overcast.services.cloudfront.errors import no_such
from overcast.storage.documents import Documents

TABLE = "cloudfront_docs"
#: CloudFront is global: its resources live in us-east-1 whatever region a client names.
REGION = "us-east-1"
#: AWS seconds a change takes to deploy to the (one, local) edge; scaled by OVERCAST_TIME_SCALE.
DEPLOY_SECONDS = 10.0
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#: Signalled when a distribution is stored or deleted (the port listeners follow it).
CHANGED = "cloudfront:changed"


def new_id(prefix: str = "E", length: int = 13) -> str:
    """A distribution id (`E2QWRUHAPOMQZL`), an ETag, an invalidation id (`I...`)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_etag() -> str:
    return new_id("E", 13)


class CloudFrontStore:
    """`platform.component(CloudFrontStore)`: documents by kind (`distribution`, `invalidation`
    (parent: distribution id), `oac`, `cache-policy`, `origin-request-policy`, `function`, `kvs`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, TABLE)

    def get(self, account: str, kind: str, key: str, missing: str, parent: str = "") -> dict[str, Any]:
        doc = self.docs.get(account, REGION, kind, key, parent=parent)
        if doc is None:
            raise no_such(missing)
        return doc

    def put(self, account: str, kind: str, key: str, doc: dict[str, Any], parent: str = "") -> None:
        self.docs.put(account, REGION, kind, key, doc, parent=parent)
        if kind == "distribution":
            self.platform.signals.notify(CHANGED)

    def list(self, account: str, kind: str, parent: str | None = "") -> list[dict[str, Any]]:
        return self.docs.list(account, REGION, kind, parent=parent)

    def delete(self, account: str, kind: str, key: str, parent: str = "") -> bool:
        deleted = self.docs.delete(account, REGION, kind, key, parent=parent)
        if kind == "distribution":
            self.platform.signals.notify(CHANGED)
        return deleted

    def find_distribution(self, dist_id: str) -> tuple[str, dict[str, Any]] | None:
        """(account, distribution) by id alone, for the data plane."""
        found = self.docs.find("distribution", dist_id.upper())
        return (found[0], found[2]) if found else None

    def status(self, doc: dict[str, Any]) -> str:
        """`InProgress` until the change's deployment time has passed, then `Deployed`."""
        return "Deployed" if self.platform.clock.now() >= doc.get("_deployed_at", 0) else "InProgress"

    def deploy_time(self) -> float:
        return self.platform.clock.later(DEPLOY_SECONDS)
