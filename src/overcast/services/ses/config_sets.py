"""Configuration sets and their event destinations, shared by both APIs. A destination is kept in one
form (`Name`, `Enabled`, `MatchingEventTypes` as lower-case names without underscores, `SnsTopicArn`,
`EventBusArn`, `CloudWatch`, `Firehose`) and shown in each API's shape."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.ses.errors import config_set_missing, exists, not_found
from overcast.services.ses.store import CONFIG_SET, SesStore

V1_TYPES = {"send": "send", "reject": "reject", "bounce": "bounce", "complaint": "complaint", "delivery": "delivery",
            "open": "open", "click": "click", "renderingfailure": "renderingFailure"}
V2_TYPES = {"send": "SEND", "reject": "REJECT", "bounce": "BOUNCE", "complaint": "COMPLAINT", "delivery": "DELIVERY",
            "open": "OPEN", "click": "CLICK", "renderingfailure": "RENDERING_FAILURE",
            "deliverydelay": "DELIVERY_DELAY", "subscription": "SUBSCRIPTION"}


def _docs(platform: Platform) -> Any:
    return platform.component(SesStore).docs


def get(platform: Platform, account: str, region: str, name: str) -> dict[str, Any]:
    doc = _docs(platform).get(account, region, CONFIG_SET, name)
    if doc is None:
        raise config_set_missing(name)
    return doc


def create(platform: Platform, account: str, region: str, name: str, **extra: Any) -> None:
    if _docs(platform).get(account, region, CONFIG_SET, name) is not None:
        raise exists("ConfigurationSetAlreadyExists", f"Configuration set <{name}> already exists.")
    _docs(platform).put(account, region, CONFIG_SET, name,
                        {"Name": name, "EventDestinations": [], "CreatedAt": platform.clock.now(), **extra})


def put(platform: Platform, account: str, region: str, doc: dict[str, Any]) -> None:
    _docs(platform).put(account, region, CONFIG_SET, doc["Name"], doc)


def delete(platform: Platform, account: str, region: str, name: str) -> None:
    if not _docs(platform).delete(account, region, CONFIG_SET, name):
        raise config_set_missing(name)


def listed(platform: Platform, account: str, region: str) -> list[dict[str, Any]]:
    return _docs(platform).list(account, region, CONFIG_SET)


def set_destination(platform: Platform, account: str, region: str, set_name: str, dest: dict[str, Any],
                    *, create: bool) -> None:
    """Add (refusing a duplicate name) or replace (refusing a missing one) an event destination."""
    doc = get(platform, account, region, set_name)
    names = [d["Name"] for d in doc["EventDestinations"]]
    if create and dest["Name"] in names:
        raise exists("EventDestinationAlreadyExists",
                     f"Event destination {dest['Name']} already exists in configuration set {set_name}.")
    if not create and dest["Name"] not in names:
        raise destination_missing(set_name, dest["Name"])
    doc["EventDestinations"] = [d for d in doc["EventDestinations"] if d["Name"] != dest["Name"]] + [dest]
    put(platform, account, region, doc)


def delete_destination(platform: Platform, account: str, region: str, set_name: str, name: str) -> None:
    doc = get(platform, account, region, set_name)
    kept = [d for d in doc["EventDestinations"] if d["Name"] != name]
    if len(kept) == len(doc["EventDestinations"]):
        raise destination_missing(set_name, name)
    doc["EventDestinations"] = kept
    put(platform, account, region, doc)


def destination_missing(set_name: str, name: str) -> Exception:
    return not_found("EventDestinationDoesNotExist",
                     f"No EventDestination found for {name} in configuration set {set_name}.")


def _types(values: list[str] | None) -> list[str]:
    return [v.replace("_", "").lower() for v in values or []]


def from_v1(dest: dict[str, Any]) -> dict[str, Any]:
    return {"Name": dest["Name"], "Enabled": bool(dest.get("Enabled", False)),
            "MatchingEventTypes": _types(dest.get("MatchingEventTypes")),
            "SnsTopicArn": (dest.get("SNSDestination") or {}).get("TopicARN"),
            "CloudWatch": dest.get("CloudWatchDestination"), "Firehose": dest.get("KinesisFirehoseDestination")}


def to_v1(dest: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": dest["Name"], "Enabled": dest["Enabled"],
                           "MatchingEventTypes": [V1_TYPES.get(t, t) for t in dest["MatchingEventTypes"]]}
    if dest.get("SnsTopicArn"):
        out["SNSDestination"] = {"TopicARN": dest["SnsTopicArn"]}
    if dest.get("CloudWatch"):
        out["CloudWatchDestination"] = dest["CloudWatch"]
    if dest.get("Firehose"):
        out["KinesisFirehoseDestination"] = dest["Firehose"]
    return out


def from_v2(name: str, dest: dict[str, Any]) -> dict[str, Any]:
    firehose = dest.get("KinesisFirehoseDestination")
    return {"Name": name, "Enabled": bool(dest.get("Enabled", False)),
            "MatchingEventTypes": _types(dest.get("MatchingEventTypes")),
            "SnsTopicArn": (dest.get("SnsDestination") or {}).get("TopicArn"),
            "EventBusArn": (dest.get("EventBridgeDestination") or {}).get("EventBusArn"),
            "CloudWatch": dest.get("CloudWatchDestination"),
            "Firehose": {"IAMRoleARN": firehose["IamRoleArn"], "DeliveryStreamARN": firehose["DeliveryStreamArn"]}
            if firehose else None}


def to_v2(dest: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": dest["Name"], "Enabled": dest["Enabled"],
                           "MatchingEventTypes": [V2_TYPES.get(t, t.upper()) for t in dest["MatchingEventTypes"]]}
    if dest.get("SnsTopicArn"):
        out["SnsDestination"] = {"TopicArn": dest["SnsTopicArn"]}
    if dest.get("EventBusArn"):
        out["EventBridgeDestination"] = {"EventBusArn": dest["EventBusArn"]}
    if dest.get("CloudWatch"):
        out["CloudWatchDestination"] = dest["CloudWatch"]
    if dest.get("Firehose"):
        out["KinesisFirehoseDestination"] = {"IamRoleArn": dest["Firehose"]["IAMRoleARN"],
                                             "DeliveryStreamArn": dest["Firehose"]["DeliveryStreamARN"]}
    return out
