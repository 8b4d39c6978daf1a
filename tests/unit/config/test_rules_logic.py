"""AWS Config's rules as pure functions: a rule's scope, its period, compliance from evaluations,
the recording group's validity, and CloudFormation's property names turned into the API's."""

from __future__ import annotations

import pytest

from overcast.services.cloudformation.resources.config import lower_keys
from overcast.services.config.api_recorders import _group_valid
from overcast.services.config.api_rules import compliance
from overcast.services.config.rules import in_scope, iso, on_change, period

BUCKET = {"resourceType": "AWS::S3::Bucket", "resourceId": "b1", "tags": {"team": "a"}}
LAMBDA = {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:us-east-1:1:function:f"}


@pytest.mark.parametrize(("scope", "expected"), [
    (None, True),
    ({"ComplianceResourceTypes": ["AWS::S3::Bucket"]}, True),
    ({"ComplianceResourceTypes": ["AWS::SQS::Queue"]}, False),
    ({"ComplianceResourceTypes": ["AWS::S3::Bucket"], "ComplianceResourceId": "b2"}, False),
    ({"TagKey": "team"}, True),
    ({"TagKey": "team", "TagValue": "b"}, False),
    ({"TagKey": "owner"}, False),
])
def test_scope(scope, expected):
    assert in_scope({"Scope": scope} if scope else {}, BUCKET) is expected


def test_triggers_and_period():
    change = {"Source": {**LAMBDA, "SourceDetails": [{"MessageType": "ConfigurationItemChangeNotification"}]}}
    scheduled = {"Source": {**LAMBDA, "SourceDetails": [{"MessageType": "ScheduledNotification",
                                                         "MaximumExecutionFrequency": "Three_Hours"}]}}
    assert on_change(change) and period(change) is None
    assert not on_change(scheduled) and period(scheduled) == 3 * 3600
    default = {"Source": {**LAMBDA, "SourceDetails": [{"MessageType": "ScheduledNotification"}]}}
    assert period(default) == 24 * 3600
    managed = {"Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}
    assert on_change(managed) and period(managed) is None
    assert period({**managed, "MaximumExecutionFrequency": "One_Hour"}) == 3600


def test_compliance_from_evaluations():
    assert compliance([]) == {"ComplianceType": "INSUFFICIENT_DATA"}
    assert compliance(["NOT_APPLICABLE"]) == {"ComplianceType": "INSUFFICIENT_DATA"}
    assert compliance(["COMPLIANT", "NOT_APPLICABLE"]) == {"ComplianceType": "COMPLIANT"}
    assert compliance(["COMPLIANT", "NON_COMPLIANT", "NON_COMPLIANT"]) == {
        "ComplianceType": "NON_COMPLIANT", "ComplianceContributorCount": {"CappedCount": 2, "CapExceeded": False}}


@pytest.mark.parametrize(("group", "valid"), [
    ({"allSupported": True, "includeGlobalResourceTypes": True}, True),
    ({"allSupported": True, "resourceTypes": ["AWS::S3::Bucket"]}, False),
    ({"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]}, True),
    ({"allSupported": False, "includeGlobalResourceTypes": True, "resourceTypes": ["AWS::S3::Bucket"]}, False),
    ({"exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]}}, False),
    ({"exclusionByResourceTypes": {"resourceTypes": ["AWS::S3::Bucket"]},
      "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}}, True),
    ({}, False),
])
def test_recording_group(group, valid):
    assert _group_valid(group) is valid


def test_names_and_times():
    assert lower_keys({"RecordingGroup": {"AllSupported": True, "ResourceTypes": ["AWS::S3::Bucket"]}}) == {
        "recordingGroup": {"allSupported": True, "resourceTypes": ["AWS::S3::Bucket"]}}
    assert iso(1_700_000_000.25) == "2023-11-14T22:13:20.250Z"
