"""Parameter Store's events on EventBridge's default bus, source `aws.ssm`
([AWS](https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-cwe.html)):
`Parameter Store Change` for each create, update, delete and label change, and `Parameter Store
Policy Action` when a policy acts. Each is recorded in the outbox in the write's transaction.

The policy loop runs the due policies on the platform clock: an `Expiration` deletes the parameter
(every version), a notification sends its event; each then reads `Finished` in DescribeParameters."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from overcast import arns, delivery
from overcast.platform import Platform
from overcast.services.ssm import policies
from overcast.services.ssm.models import ParameterStore

log = logging.getLogger("overcast.ssm")

SIGNAL = "ssm-policies"
IDLE_WAIT = 5.0


def _send(platform: Platform, account: str, region: str, detail_type: str, arn: str, detail: dict[str, Any]) -> None:
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": detail_type, "source": "aws.ssm",
             "account": account,
             "time": dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "region": region, "resources": [arn], "detail": detail}
    delivery.record(platform, arns.build("events", region, account, "event-bus/default"), json.dumps(event))


def changed(platform: Platform, account: str, region: str, operation: str, doc: dict[str, Any],
            failure: str | None = None) -> None:
    """A `Parameter Store Change` event: operation Create, Update, Delete or LabelParameterVersion;
    with `dataType` and `failure` when an `aws:ec2:image` value failed AWS's check."""
    detail = {"operation": operation, "name": doc["Name"], "type": doc["Type"],
              "description": doc.get("Description") or ""}
    if failure is not None:
        detail.update(dataType=doc["DataType"], failure=failure)
    _send(platform, account, region, "Parameter Store Change", doc["ARN"], detail)


def policy_acted(platform: Platform, account: str, region: str, doc: dict[str, Any], kind: str, reason: str) -> None:
    detail = {"parameter-name": doc["Name"], "parameter-type": doc["Type"], "policy-type": kind,
              "action-status": "Finished", "action-reason": reason}
    _send(platform, account, region, "Parameter Store Policy Action", doc["ARN"], detail)


async def policy_loop(platform: Platform) -> None:
    """One round: run the due policies, then wait for the next due time or a policy change."""
    store = platform.component(ParameterStore)
    now = platform.clock.now()
    for account, region, key, doc in store.due(now):
        try:
            run_due(platform, store, account, region, key, doc, now)
        except Exception:  # a bug must not stop every other parameter's policies
            log.exception("parameter %s: its policies failed", doc.get("Name"))
            store.save(account, region, key, doc, None)
    due = store.next_due()
    timeout = IDLE_WAIT if due is None else min(IDLE_WAIT, due - platform.clock.now())
    if timeout > 0:
        await platform.signals.wait(SIGNAL, timeout)


def run_due(platform: Platform, store: ParameterStore, account: str, region: str, key: str,
            doc: dict[str, Any], now: float) -> None:
    state = doc.get("PolicyState") or {}
    with platform.db.tx():
        for kind in ("ExpirationNotification", "NoChangeNotification", "Expiration"):
            policy = state.get(kind)
            if not policy or policy["status"] != "Pending" or policy["due"] > now:
                continue
            policy["status"] = "Finished"
            if kind == "Expiration":
                store.delete(account, region, key)
                policy_acted(platform, account, region, doc, kind, f"Parameter {doc['Name']} has been deleted "
                             "by the Expiration policy.")
                return
            reason = (f"Parameter {doc['Name']} is scheduled to expire." if kind == "ExpirationNotification"
                      else f"Parameter {doc['Name']} has not been changed.")
            policy_acted(platform, account, region, doc, kind, reason)
        doc["PolicyState"] = state
        store.save(account, region, key, doc, policies.next_due(state))
