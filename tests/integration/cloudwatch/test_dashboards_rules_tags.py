"""Dashboards, insight rules and tags through each protocol."""

import json

from tests.integration.cloudwatch.helpers import error_of, unique

BODY = json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 3,
                                "properties": {"markdown": "# Orders"}}]})
RULE = json.dumps({"Schema": {"Name": "CloudWatchLogRule", "Version": 1}, "LogGroupNames": ["/aws/lambda/f"],
                   "LogFormat": "JSON", "Contribution": {"Keys": ["$.ip"], "Filters": []}, "AggregateOn": "Count"})


def test_dashboard_lifecycle(cw):
    name = unique("Dash")
    assert cw.put_dashboard(DashboardName=name, DashboardBody=BODY).get("DashboardValidationMessages", []) == []
    got = cw.get_dashboard(DashboardName=name)
    assert got["DashboardBody"] == BODY and got["DashboardArn"] == f"arn:aws:cloudwatch::000000000000:dashboard/{name}"
    [entry] = cw.list_dashboards(DashboardNamePrefix=name)["DashboardEntries"]
    assert entry["DashboardName"] == name and entry["Size"] == len(BODY)
    cw.delete_dashboards(DashboardNames=[name])
    err = error_of(cw.get_dashboard, DashboardName=name)
    assert (err["Code"], err["Status"]) == ("ResourceNotFound", 404)
    assert err["Message"] == f"Dashboard {name} does not exist"


def test_dashboard_body_validation(cw):
    bad = json.dumps({"widgets": [{"type": "metric", "width": 30, "properties": {}}]})
    err = error_of(cw.put_dashboard, DashboardName=unique("Dash"), DashboardBody=bad)
    assert (err["Code"], err["Status"]) == ("InvalidParameterInput", 400)
    assert err["dashboardValidationMessages"] == [
        {"DataPath": "/widgets/0/width", "Message": "Should be <= 24"},
        {"DataPath": "/widgets/0/properties", "Message": "Should have required property 'metrics'"},
        {"DataPath": "/widgets/0/properties",
         "Message": "The metric widget should have specified a region and a data source or an alarm annotation"},
        {"DataPath": "/widgets/0/properties", "Message": "Should have required property 'annotations'"}]
    assert err["Message"].startswith("The dashboard body is invalid, there are 4 validation errors:\n[\n  {\n")
    err = error_of(cw.put_dashboard, DashboardName=unique("Dash"), DashboardBody="not json")
    assert err["Code"] == "InvalidParameterInput"
    err = error_of(cw.put_dashboard, DashboardName="bad name!", DashboardBody=BODY)
    assert err["Code"] == "InvalidParameterValue"


def test_insight_rules_stored_enabled_disabled_deleted(cw):
    name = unique("rule")
    cw.put_insight_rule(RuleName=name, RuleDefinition=RULE)
    rules = {r["Name"]: r for r in cw.describe_insight_rules()["InsightRules"]}
    assert rules[name] == {"Name": name, "State": "ENABLED", "Schema": "CloudWatchLogRule/1", "Definition": RULE,
                           "ManagedRule": False, "ApplyOnTransformedLogs": False}
    assert cw.disable_insight_rules(RuleNames=[name])["Failures"] == []
    rules = {r["Name"]: r for r in cw.describe_insight_rules()["InsightRules"]}
    assert rules[name]["State"] == "DISABLED"
    report = cw.get_insight_rule_report(RuleName=name, StartTime=0, EndTime=3600, Period=300)
    assert (report["KeyLabels"], report["AggregationStatistic"], report["Contributors"]) == (["$.ip"], "Count", [])
    [failure] = cw.delete_insight_rules(RuleNames=[name, "missing-" + name])["Failures"]
    assert failure["FailureResource"] == "missing-" + name
    assert name not in {r["Name"] for r in cw.describe_insight_rules()["InsightRules"]}


def test_tags_on_dashboards_and_rules(cw):
    name = unique("Dash")
    cw.put_dashboard(DashboardName=name, DashboardBody=BODY)
    arn = f"arn:aws:cloudwatch::000000000000:dashboard/{name}"
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "team", "Value": "core"}, {"Key": "env", "Value": "dev"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "core"}]
    rule = unique("rule")
    cw.put_insight_rule(RuleName=rule, RuleDefinition=RULE, Tags=[{"Key": "k", "Value": "v"}])
    rule_arn = f"arn:aws:cloudwatch:us-east-1:000000000000:insight-rule/{rule}"
    assert cw.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    err = error_of(cw.list_tags_for_resource, ResourceARN=arn + "-missing")
    assert (err["Code"], err["Status"]) == ("ResourceNotFoundException", 404)
