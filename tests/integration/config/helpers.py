"""Shared set-up for the AWS Config tests: each test works in an account of its own (the recorder
and rules are per account and region, and the session's server is shared)."""

from __future__ import annotations

import random
from typing import Any

from overcast.testing import create_function

ROLE = "arn:aws:iam::{account}:role/config-role"

#: A custom rule's function, as AWS's developer guide writes one: it reads the bucket's versioning
#: from the configuration item and reports with PutEvaluations (the call reaches overcast).
VERSIONING_RULE = """
import json, boto3
def handler(event, context):
    invoking = json.loads(event["invokingEvent"])
    params = json.loads(event["ruleParameters"])
    item = invoking["configurationItem"]
    if item["configurationItemStatus"] == "ResourceDeleted" or event["eventLeftScope"]:
        compliance = "NOT_APPLICABLE"
    else:
        status = item["supplementaryConfiguration"].get("BucketVersioningConfiguration", {}).get("status")
        compliance = "COMPLIANT" if status == params.get("wanted", "Enabled") else "NON_COMPLIANT"
    boto3.client("config").put_evaluations(ResultToken=event["resultToken"], Evaluations=[{
        "ComplianceResourceType": item["resourceType"], "ComplianceResourceId": item["resourceId"],
        "ComplianceType": compliance, "Annotation": "versioning is " + str(status if compliance != "NOT_APPLICABLE" else "gone"),
        "OrderingTimestamp": item["configurationItemCaptureTime"]}])
    return compliance
"""


def new_account() -> str:
    return str(random.randint(10**11, 10**12 - 1))


def clients(server: Any, account: str, *names: str) -> list[Any]:
    """Clients acting in `account` (a twelve-digit access key names the account)."""
    return [server.client(n, aws_access_key_id=account, aws_secret_access_key="test") for n in names]


def start_recorder(config: Any, s3: Any, account: str, bucket: str) -> None:
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE.format(account=account),
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    s3.create_bucket(Bucket=bucket)
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def rule_function(lam: Any, source: str = VERSIONING_RULE) -> str:
    name = create_function(lam, source, Timeout=60)
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
