"""Load balancers, target groups, listeners and rules as documents (member names of the API's
shapes; private keys start with `_`: tags, attributes, registered targets).

Listener and rule ARNs carry the load balancer's name and id, as on AWS:
`arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name}/{lb-id}/{id}`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from overcast.platform import Platform
from overcast.services.elbv2.errors import not_found
from overcast.storage.documents import Documents

TABLE = "elbv2_docs"
CHANGED = "elbv2:changed"


def hex_id() -> str:
    return secrets.token_hex(8)


def arn(region: str, account: str, resource: str) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{account}:{resource}"


class ElbStore:
    """`platform.component(ElbStore)`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, TABLE)
        self._listeners: list[Callable[[], None]] = []
        self._by_name: dict[str, tuple[str, str, dict[str, Any]]] | None = None
        platform.on_reset(self._forget)

    def _forget(self) -> None:
        self._by_name = None

    def changed(self) -> None:
        self._by_name = None
        self.platform.signals.notify(CHANGED)

    # -- generic -------------------------------------------------------------------------------

    def get(self, account: str, region: str, kind: str, key: str, parent: str = "") -> dict[str, Any]:
        doc = self.docs.get(account, region, kind, key, parent=parent)
        if doc is None:
            raise not_found({"lb": "LoadBalancer", "tg": "TargetGroup", "listener": "Listener", "rule": "Rule"}[kind])
        return doc

    def put(self, account: str, region: str, kind: str, doc: dict[str, Any], key: str, parent: str = "") -> None:
        self.docs.put(account, region, kind, key, doc, parent=parent)
        self.changed()

    def listener_of(self, account: str, region: str, listener_arn: str) -> dict[str, Any]:
        lb_arn = load_balancer_arn_of(listener_arn)
        return self.get(account, region, "listener", listener_arn, parent=lb_arn)

    def rule_of(self, account: str, region: str, rule_arn: str) -> dict[str, Any]:
        return self.get(account, region, "rule", rule_arn, parent=listener_arn_of(rule_arn))

    # -- the data plane's view -----------------------------------------------------------------

    def by_name(self, name: str) -> tuple[str, str, dict[str, Any]] | None:
        """(account, region, load balancer) by name, across accounts and regions (cached)."""
        if self._by_name is None:
            rows = self.platform.db.query(f"SELECT account, region, doc FROM {TABLE} WHERE kind='lb'")
            import json

            self._by_name = {}
            for row in rows:
                doc = json.loads(row["doc"])
                self._by_name.setdefault(doc["LoadBalancerName"].lower(), (row["account"], row["region"], doc))
        return self._by_name.get(name.lower())


def load_balancer_arn_of(listener_arn: str) -> str:
    """`...:listener/app/{name}/{lb-id}/{id}` → `...:loadbalancer/app/{name}/{lb-id}`."""
    head, _, rest = listener_arn.partition(":listener/")
    return f"{head}:loadbalancer/{rest.rsplit('/', 1)[0]}" if rest else ""


def listener_arn_of(rule_arn: str) -> str:
    head, _, rest = rule_arn.partition(":listener-rule/")
    return f"{head}:listener/{rest.rsplit('/', 1)[0]}" if rest else ""
