"""Config rules at work: which rules a configuration item concerns, the event a custom rule's
function receives (invoked asynchronously, through the outbox to Lambda), evaluations kept, and
`Config Rules Compliance Change` events on EventBridge's default bus when a resource's compliance
with a rule changes.

The function's event is AWS's
(https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html):
`invokingEvent` and `ruleParameters` are JSON strings, `resultToken` is what the function passes back
to PutEvaluations. AWS managed rules overcast evaluates itself are in `MANAGED`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from overcast import delivery
from overcast.delivery import RetryPolicy
from overcast.platform import Platform
from overcast.services.config.access import rule_invoker
from overcast.services.config.changes import changed_properties
from overcast.services.config.models import RECORDER, ConfigStore

CHANGE_TYPES = ("ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification")
SCHEDULED = "ScheduledNotification"
#: MaximumExecutionFrequency → AWS seconds between a periodic rule's runs (24 hours when not given)
FREQUENCIES = {"One_Hour": 3600, "Three_Hours": 3 * 3600, "Six_Hours": 6 * 3600, "Twelve_Hours": 12 * 3600,
               "TwentyFour_Hours": 24 * 3600}
#: Config's deliveries to functions and to EventBridge: retried for a while, as AWS services do
RETRY = RetryPolicy(max_attempts=24, max_age=86_400, first=1.0, cap=60.0)


def iso(epoch: float) -> str:
    """AWS Config's timestamps in events: ISO 8601, UTC, milliseconds."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch * 1000) % 1000:03d}Z"


def in_scope(rule: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether a rule's Scope takes the item's resource (no Scope: every recorded resource)."""
    scope = rule.get("Scope") or {}
    types = scope.get("ComplianceResourceTypes") or []
    if types and item["resourceType"] not in types:
        return False
    if scope.get("ComplianceResourceId") and scope["ComplianceResourceId"] != item["resourceId"]:
        return False
    if scope.get("TagKey"):
        tags = item.get("tags") or {}
        if scope["TagKey"] not in tags or (scope.get("TagValue") and tags[scope["TagKey"]] != scope["TagValue"]):
            return False
    return True


def on_change(rule: dict[str, Any]) -> bool:
    """Whether the rule runs when a configuration item in its scope changes."""
    source = rule["Source"]
    if source["Owner"] != "CUSTOM_LAMBDA":
        return source.get("SourceIdentifier") in MANAGED
    return any(d.get("MessageType") in CHANGE_TYPES for d in source.get("SourceDetails") or [])


def period(rule: dict[str, Any]) -> float | None:
    """AWS seconds between a periodic rule's runs, or None when the rule is not periodic."""
    details = [d for d in rule["Source"].get("SourceDetails") or [] if d.get("MessageType") == SCHEDULED]
    if rule["Source"]["Owner"] == "CUSTOM_LAMBDA" and not details:
        return None
    if rule["Source"]["Owner"] != "CUSTOM_LAMBDA" and not rule.get("MaximumExecutionFrequency"):
        return None
    frequency = next((d["MaximumExecutionFrequency"] for d in details if d.get("MaximumExecutionFrequency")),
                     rule.get("MaximumExecutionFrequency") or "TwentyFour_Hours")
    return float(FREQUENCIES[frequency])


def _role(platform: Platform, account: str, region: str) -> str:
    recorders = platform.component(ConfigStore).docs(account, region, RECORDER)
    return (recorders[0].get("roleARN") if recorders else None) or f"arn:aws:iam::{account}:role/config-role"


def _invoke(platform: Platform, account: str, region: str, rule: dict[str, Any], invoking: dict[str, Any],
            left_scope: bool) -> None:
    now = platform.clock.now()
    token = uuid.uuid4().hex + uuid.uuid4().hex
    platform.component(ConfigStore).new_token(token, account, region, rule["ConfigRuleName"], now)
    event = {"version": "1.0", "invokingEvent": json.dumps(invoking),
             "ruleParameters": rule.get("InputParameters") or "{}", "resultToken": token,
             "eventLeftScope": left_scope, "executionRoleArn": _role(platform, account, region),
             "configRuleArn": rule["ConfigRuleArn"], "configRuleName": rule["ConfigRuleName"],
             "configRuleId": rule["ConfigRuleId"], "accountId": account, "evaluationMode": "DETECTIVE"}
    delivery.record(platform, rule["Source"]["SourceIdentifier"], json.dumps(event), retry=RETRY,
                    on_behalf=rule_invoker(platform, account, rule))


def run_on_item(platform: Platform, account: str, region: str, rule: dict[str, Any], item: dict[str, Any],
                change_type: str | None = None, previous: dict[str, Any] | None = None) -> None:
    """Evaluate one configuration item against a change-triggered rule; `change_type` (CREATE, UPDATE,
    DELETE) is the item's change when a recorded change triggers the run (None when the rule is run on
    what is recorded: a new rule, StartConfigRulesEvaluation)."""
    now = platform.clock.now()
    if rule["Source"]["Owner"] != "CUSTOM_LAMBDA":
        evaluate_managed(platform, account, region, rule, item, now)
        return
    diff = None if change_type is None else {"changedProperties": changed_properties(previous, item, change_type),
                                             "changeType": change_type}
    invoking = {"configurationItemDiff": diff, "configurationItem": item, "notificationCreationTime": iso(now),
                "messageType": "ConfigurationItemChangeNotification", "recordVersion": "1.3"}
    _invoke(platform, account, region, rule, invoking, item["configurationItemStatus"] == "ResourceDeleted")


def run_scheduled(platform: Platform, account: str, region: str, rule: dict[str, Any]) -> None:
    """A periodic run: custom rules get a ScheduledNotification; managed ones re-evaluate what they cover."""
    now = platform.clock.now()
    if rule["Source"]["Owner"] != "CUSTOM_LAMBDA":
        for item in recorded_items(platform, account, region, rule):
            evaluate_managed(platform, account, region, rule, item, now)
        return
    invoking = {"awsAccountId": account, "notificationCreationTime": iso(now),
                "messageType": "ScheduledNotification", "recordVersion": "1.0"}
    _invoke(platform, account, region, rule, invoking, False)


def recorded_items(platform: Platform, account: str, region: str, rule: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest items of the recorded, existing resources in a rule's scope."""
    current = platform.component(ConfigStore).current(account, region)
    return [item for _, deleted, item in current.values() if not deleted and in_scope(rule, item)]


def run_rule(platform: Platform, account: str, region: str, rule: dict[str, Any]) -> None:
    """Evaluate a rule now (a new rule, StartConfigRulesEvaluation): each recorded resource in its scope
    for a change-triggered rule, one scheduled notification for a periodic one."""
    if on_change(rule):
        for item in recorded_items(platform, account, region, rule):
            run_on_item(platform, account, region, rule, item)
    if period(rule) is not None:
        run_scheduled(platform, account, region, rule)


# -- AWS managed rules evaluated in overcast ---------------------------------------------------------


def _versioning_enabled(item: dict[str, Any], params: dict[str, Any]) -> str:
    status = ((item.get("supplementaryConfiguration") or {}).get("BucketVersioningConfiguration") or {}).get("status")
    return "COMPLIANT" if status == "Enabled" else "NON_COMPLIANT"


#: SourceIdentifier → (the resource type it covers, its check of an item and the rule's parameters)
MANAGED: dict[str, tuple[str, Callable[[dict[str, Any], dict[str, Any]], str]]] = {
    "S3_BUCKET_VERSIONING_ENABLED": ("AWS::S3::Bucket", _versioning_enabled),
}


def evaluate_managed(platform: Platform, account: str, region: str, rule: dict[str, Any], item: dict[str, Any],
                     now: float) -> None:
    managed = MANAGED.get(rule["Source"].get("SourceIdentifier", ""))
    if managed is None or managed[0] != item["resourceType"]:
        return
    if item["configurationItemStatus"] == "ResourceDeleted":
        compliance = "NOT_APPLICABLE"
    else:
        compliance = managed[1](item, json.loads(rule.get("InputParameters") or "{}"))
    store_evaluation(platform, account, region, rule, {
        "ComplianceResourceType": item["resourceType"], "ComplianceResourceId": item["resourceId"],
        "ComplianceType": compliance, "OrderingTimestamp": now}, invoked_at=now)


# -- evaluations -----------------------------------------------------------------------------------


def store_evaluation(platform: Platform, account: str, region: str, rule: dict[str, Any],
                     evaluation: dict[str, Any], invoked_at: float) -> None:
    """Keep a rule's evaluation of a resource; a change of its compliance goes to EventBridge."""
    store = platform.component(ConfigStore)
    now = platform.clock.now()
    name = rule["ConfigRuleName"]
    old = store.evaluation(account, region, name, evaluation["ComplianceResourceType"],
                           evaluation["ComplianceResourceId"])
    doc = {"ResourceType": evaluation["ComplianceResourceType"], "ResourceId": evaluation["ComplianceResourceId"],
           "ComplianceType": evaluation["ComplianceType"], "Annotation": evaluation.get("Annotation"),
           "OrderingTimestamp": _epoch(evaluation["OrderingTimestamp"]), "ResultRecordedTime": now,
           "ConfigRuleInvokedTime": invoked_at}
    store.put_evaluation(account, region, name, doc)
    if old is None or old["ComplianceType"] != doc["ComplianceType"]:
        _compliance_event(platform, account, region, rule, old, doc)


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _result(rule_name: str, doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "evaluationResultIdentifier": {
            "evaluationResultQualifier": {"configRuleName": rule_name, "resourceType": doc["ResourceType"],
                                          "resourceId": doc["ResourceId"], "evaluationMode": "DETECTIVE"},
            "orderingTimestamp": iso(doc["OrderingTimestamp"])},
        "complianceType": doc["ComplianceType"], "resultRecordedTime": iso(doc["ResultRecordedTime"]),
        "configRuleInvokedTime": iso(doc["ConfigRuleInvokedTime"])}
    if doc.get("Annotation"):
        result["annotation"] = doc["Annotation"]
    return result


def _compliance_event(platform: Platform, account: str, region: str, rule: dict[str, Any],
                      old: dict[str, Any] | None, new: dict[str, Any]) -> None:
    """AWS Config's `Config Rules Compliance Change` event
    (https://docs.aws.amazon.com/config/latest/developerguide/monitor-config-with-cloudwatchevents.html)."""
    detail: dict[str, Any] = {
        "resourceId": new["ResourceId"], "awsRegion": region, "awsAccountId": account,
        "configRuleName": rule["ConfigRuleName"], "recordVersion": "1.0", "configRuleARN": rule["ConfigRuleArn"],
        "messageType": "ComplianceChangeNotification",
        "newEvaluationResult": _result(rule["ConfigRuleName"], new),
        "notificationCreationTime": iso(platform.clock.now()), "resourceType": new["ResourceType"]}
    if old is not None:
        detail["oldEvaluationResult"] = _result(rule["ConfigRuleName"], old)
    entry = {"Source": "aws.config", "DetailType": "Config Rules Compliance Change", "Detail": detail,
             "Resources": []}
    delivery.record(platform, f"arn:aws:events:{region}:{account}:event-bus/default", json.dumps(entry), retry=RETRY)
