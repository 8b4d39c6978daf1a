"""The recorder records SNS topics, EventBridge rules and Step Functions state machines, and a
change to one comes with its changedProperties."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.config.helpers import clients, rule_function, start_recorder

#: Reports, as its annotation, which properties the notification says changed.
DIFF_RULE = """
import json, boto3
def handler(event, context):
    invoking = json.loads(event["invokingEvent"])
    item, diff = invoking["configurationItem"], invoking.get("configurationItemDiff") or {}
    names = sorted(diff.get("changedProperties", {})) if diff.get("changeType") == "UPDATE" else ["-"]
    boto3.client("config").put_evaluations(ResultToken=event["resultToken"], Evaluations=[{
        "ComplianceResourceType": item["resourceType"], "ComplianceResourceId": item["resourceId"],
        "ComplianceType": "COMPLIANT", "Annotation": ",".join(names)[:250],
        "OrderingTimestamp": item["configurationItemCaptureTime"]}])
"""
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def _ids(config, resource_type: str) -> set[str]:
    found = config.list_discovered_resources(resourceType=resource_type)["resourceIdentifiers"]
    return {r["resourceId"] for r in found}


def test_topics_rules_and_state_machines_are_recorded(overcast_server, account):
    config, s3, sns, events, sfn, lam = clients(overcast_server, account, "config", "s3", "sns", "events",
                                                "stepfunctions", "lambda")
    start_recorder(config, s3, account, f"cfg-types-{uuid.uuid4().hex[:8]}")
    topic = sns.create_topic(Name="orders", Tags=[{"Key": "team", "Value": "shop"}])["TopicArn"]
    events.put_rule(Name="nightly", ScheduleExpression="rate(1 day)")
    machine = sfn.create_state_machine(name="flow", definition=DEFINITION,
                                       roleArn=f"arn:aws:iam::{account}:role/sfn")["stateMachineArn"]
    wait_until(lambda: topic in _ids(config, "AWS::SNS::Topic") and "nightly" in _ids(config, "AWS::Events::Rule")
               and machine in _ids(config, "AWS::StepFunctions::StateMachine"), 60, "all three recorded")
    item = config.get_resource_config_history(resourceType="AWS::SNS::Topic", resourceId=topic)[
        "configurationItems"][0]
    assert item["resourceName"] == "orders" and item["arn"] == topic and item["tags"] == {"team": "shop"}
    rule = config.get_resource_config_history(resourceType="AWS::Events::Rule", resourceId="nightly")[
        "configurationItems"][0]
    assert json.loads(rule["configuration"])["ScheduleExpression"] == "rate(1 day)"

    config.put_config_rule(ConfigRule={
        "ConfigRuleName": "diff", "Scope": {"ComplianceResourceTypes": ["AWS::Events::Rule"]},
        "Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": rule_function(lam, DIFF_RULE),
                   "SourceDetails": [{"EventSource": "aws.config",
                                      "MessageType": "ConfigurationItemChangeNotification"}]}})
    events.disable_rule(Name="nightly")

    def changed():
        history = config.get_resource_config_history(resourceType="AWS::Events::Rule", resourceId="nightly")
        return len(history["configurationItems"]) > 1 and history["configurationItems"][0]

    latest = wait_until(changed, 60, "the rule's change recorded")
    assert json.loads(latest["configuration"])["State"] == "DISABLED"

    def annotation():
        results = config.get_compliance_details_by_config_rule(ConfigRuleName="diff")["EvaluationResults"]
        mine = [r for r in results if r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                == "nightly" and r.get("Annotation", "-") != "-"]
        return mine[0]["Annotation"] if mine else None

    assert wait_until(annotation, 60, "the update's notification evaluated") == "Configuration.State"
