"""The configuration recorder over overcast's own resources.

While a recorder is recording, a loop scans its account and region every `SCAN_PERIOD` AWS seconds
(on the platform clock, so `OVERCAST_TIME_SCALE` shortens it) and as soon as recording starts: it
reads the resources through the services' own operations (`discovery.py`), compares each with its
last configuration item, and records a new item when the resource appeared (`ResourceDiscovered`),
changed (`OK`) or went away (`ResourceDeleted`), in AWS's shape, version 1.3
(https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html), kept as change
notifications carry it (`awsAccountId`, `configurationItemVersion`, `configurationStateMd5Hash`;
the API's form is made by `api_resources.api_item`). Each new item
runs the change-triggered rules whose scope takes it. The same loop runs periodic rules when due."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.config import rules
from overcast.services.config.discovery import READERS, Resource, discover
from overcast.services.config.models import CHANNEL, RECORDER, RULE, ConfigStore
from overcast.services.config.snapshots import deliver_due

log = logging.getLogger("overcast.config")

SIGNAL = "config-recorder"
#: AWS seconds between two scans of a recording account and region
SCAN_PERIOD = 10.0
CHANGE_TYPES = {"ResourceDiscovered": "CREATE", "OK": "UPDATE", "ResourceDeleted": "DELETE"}


async def recorder_loop(platform: Platform) -> None:
    """One round: scan every recording scope, run the periodic rules that are due, then wait."""
    store = platform.component(ConfigStore)
    if platform.gateway is not None:
        for account, region, recorder in store.all_docs(RECORDER):
            if recorder.get("_recording"):
                await scan(platform, account, region, recorder)
    run_due_rules(platform)
    await deliver_due(platform)
    await platform.signals.wait(SIGNAL, min(platform.clock.scaled(SCAN_PERIOD), _next_snapshot_wait(platform)))


def _next_snapshot_wait(platform: Platform) -> float:
    """Real seconds until the next periodic snapshot is due (the scan period when none is)."""
    due = [c["_next_snapshot"] for _a, _r, c in platform.component(ConfigStore).all_docs(CHANNEL)
           if c.get("_next_snapshot") is not None]
    wait = platform.clock.scaled(SCAN_PERIOD)
    return max(0.01, min([wait, *[d - platform.clock.now() for d in due]]))


def recorded_types(recorder: dict[str, Any]) -> list[str]:
    """The resource types a recorder's recording group records (all overcast knows by default)."""
    group = recorder.get("recordingGroup") or {}
    if group.get("resourceTypes"):
        return [t for t in group["resourceTypes"] if t in READERS]
    excluded = (group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or []
    return [t for t in READERS if t not in excluded]


async def scan(platform: Platform, account: str, region: str, recorder: dict[str, Any]) -> None:
    """Record what changed in one account and region since the last scan."""
    types = recorded_types(recorder)
    ctx = RequestContext(account=account, region=region, service="config",
                         **({"endpoint": recorder["_endpoint"]} if recorder.get("_endpoint") else {}))
    found = await discover(platform.gateway, ctx, types)
    store = platform.component(ConfigStore)
    current = store.current(account, region)
    now = platform.clock.now()
    new_items: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    with platform.db.tx():
        seen = set()
        for resource in found:
            key = (resource.resource_type, resource.resource_id)
            seen.add(key)
            digest = _digest(resource)
            last = current.get(key)
            if last is not None and not last[1] and last[0] == digest:
                continue
            status = "ResourceDiscovered" if last is None or last[1] else "OK"
            item = _item(account, region, resource, status, now)
            store.record_item(account, region, item, digest, now)
            new_items.append((item, None if status == "ResourceDiscovered" or last is None else last[2]))
        for key, (_, deleted, last_item) in current.items():
            if key not in seen and not deleted and key[0] in types:
                item = _deleted_item(last_item, now)
                store.record_item(account, region, item, "", now)
                new_items.append((item, last_item))
        _run_rules(platform, account, region, new_items)


def _run_rules(platform: Platform, account: str, region: str,
               items: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
    """Run the change-triggered rules on each new item (with the resource's previous item, whose
    differences make the notification's `changedProperties`)."""
    if not items:
        return
    for rule in platform.component(ConfigStore).docs(account, region, RULE):
        if not rules.on_change(rule):
            continue
        for item, previous in items:
            if rules.in_scope(rule, item):
                rules.run_on_item(platform, account, region, rule, item,
                                  CHANGE_TYPES[item["configurationItemStatus"]], previous)


def run_due_rules(platform: Platform) -> None:
    """Run the periodic rules whose time has come, and set their next run."""
    store = platform.component(ConfigStore)
    now = platform.clock.now()
    for account, region, rule in store.all_docs(RULE):
        every = rules.period(rule)
        if every is None or rule.get("_next_run", 0) > now:
            continue
        with platform.db.tx():
            rules.run_scheduled(platform, account, region, rule)
            rule["_next_run"] = now + platform.clock.scaled(every)
            store.put(account, region, RULE, rule["ConfigRuleName"], rule)


def _digest(resource: Resource) -> str:
    body = json.dumps([resource.configuration, resource.supplementary, resource.tags], sort_keys=True, default=str)
    return hashlib.md5(body.encode()).hexdigest()


def _item(account: str, region: str, resource: Resource, status: str, now: float) -> dict[str, Any]:
    return {"configurationItemVersion": "1.3", "awsAccountId": account,
            "configurationItemCaptureTime": rules.iso(now), "configurationItemStatus": status,
            "configurationStateId": int(now * 1000), "configurationStateMd5Hash": "", "ARN": resource.arn, "resourceType": resource.resource_type,
            "resourceId": resource.resource_id, "resourceName": resource.name, "awsRegion": region,
            "availabilityZone": "Not Applicable",
            "resourceCreationTime": rules.iso(resource.created) if resource.created else None,
            "tags": resource.tags, "relatedEvents": [], "relationships": [],
            "configuration": json.loads(json.dumps(resource.configuration, default=str)),
            "supplementaryConfiguration": resource.supplementary}


def _deleted_item(last: dict[str, Any], now: float) -> dict[str, Any]:
    return {**last, "configurationItemCaptureTime": rules.iso(now), "configurationItemStatus": "ResourceDeleted",
            "configurationStateId": int(now * 1000), "configuration": None, "supplementaryConfiguration": {},
            "tags": {}}
