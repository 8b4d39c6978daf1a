"""Contributor Insights rules, stored (not evaluated): PutInsightRule, DescribeInsightRules,
DeleteInsightRules, EnableInsightRules, DisableInsightRules, and GetInsightRuleReport (the rule's key
labels and aggregation, with no contributors: overcast does not evaluate rules over log events)."""

from __future__ import annotations

import json
import re
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.errors import InvalidParameterValue, ResourceNotFoundException
from overcast.services.cloudwatch.paging import page

_NAME = re.compile(r"^[\x20-\x7E]{1,128}$")
DEFAULT_PAGE = 500


def rule_arn(account: str, region: str, name: str) -> str:
    """An insight rule's ARN."""
    return f"arn:aws:cloudwatch:{region}:{account}:insight-rule/{name}"


def _schema(definition: str) -> str:
    """The rule's schema as DescribeInsightRules names it (`CloudWatchLogRule/1`)."""
    try:
        doc = documents.loads(definition)
    except ValueError:
        raise InvalidParameterValue("The value for parameter RuleDefinition is not valid JSON.") from None
    schema = doc.get("Schema") if isinstance(doc, dict) else None
    if not isinstance(schema, dict) or "Name" not in schema or "Version" not in schema:
        raise InvalidParameterValue("The value for parameter RuleDefinition must contain a Schema with Name and "
                                    "Version.")
    return f"{schema['Name']}/{schema['Version']}"


class InsightRuleOperations(ApiBase):
    """Contributor Insights rules, stored as DescribeInsightRules answers them."""

    def put_insight_rule(self, ctx: RequestContext, rule_name: str, rule_definition: str,
                         rule_state: str | None = None, tags: list[dict[str, str]] | None = None,
                         apply_on_transformed_logs: bool | None = None, **_: Any) -> dict[str, Any]:
        state = rule_state or "ENABLED"
        if state not in ("ENABLED", "DISABLED"):
            raise InvalidParameterValue(f"The value {state} for parameter RuleState is invalid.")
        doc = {"Name": rule_name, "State": state, "Schema": _schema(rule_definition),
               "Definition": rule_definition, "ManagedRule": False,
               "ApplyOnTransformedLogs": bool(apply_on_transformed_logs)}
        with self.db.tx():
            self.db.execute("INSERT INTO cw_insight_rules(account, region, name, doc) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT(account, region, name) DO UPDATE SET doc = excluded.doc",
                            (ctx.account, ctx.region, rule_name, json.dumps(doc)))
            if tags:
                self.tag_arn(rule_arn(ctx.account, ctx.region, rule_name), tags)
        return {}

    def describe_insight_rules(self, ctx: RequestContext, next_token: str | None = None,
                               max_results: int | None = None, **_: Any) -> dict[str, Any]:
        rows = self.db.query("SELECT doc FROM cw_insight_rules WHERE account = ? AND region = ? ORDER BY name",
                             (ctx.account, ctx.region))
        items, token = page([json.loads(r["doc"]) for r in rows], next_token, max_results or DEFAULT_PAGE)
        return {"InsightRules": items, **({"NextToken": token} if token else {})}

    def delete_insight_rules(self, ctx: RequestContext, rule_names: list[str], **_: Any) -> dict[str, Any]:
        def delete(name: str) -> None:
            self.db.execute("DELETE FROM cw_insight_rules WHERE account = ? AND region = ? AND name = ?",
                            (ctx.account, ctx.region, name))
            self.untag_all(rule_arn(ctx.account, ctx.region, name))

        return self._each_rule(ctx, rule_names, delete)

    def enable_insight_rules(self, ctx: RequestContext, rule_names: list[str], **_: Any) -> dict[str, Any]:
        return self._each_rule(ctx, rule_names, lambda name: self._set_state(ctx, name, "ENABLED"))

    def disable_insight_rules(self, ctx: RequestContext, rule_names: list[str], **_: Any) -> dict[str, Any]:
        return self._each_rule(ctx, rule_names, lambda name: self._set_state(ctx, name, "DISABLED"))

    def get_insight_rule_report(self, ctx: RequestContext, rule_name: str, **_: Any) -> dict[str, Any]:
        row = self.db.query_one("SELECT doc FROM cw_insight_rules WHERE account = ? AND region = ? AND name = ?",
                                (ctx.account, ctx.region, rule_name))
        if row is None:
            raise ResourceNotFoundException(f"Rule {rule_name} does not exist")
        definition = json.loads(json.loads(row["doc"])["Definition"])
        contribution = definition.get("Contribution") or {}
        keys = contribution.get("Keys") or []
        return {"KeyLabels": [str(k) for k in keys], "AggregationStatistic": definition.get("AggregateOn", "Count"),
                "AggregateValue": 0.0, "ApproximateUniqueCount": 0, "Contributors": [], "MetricDatapoints": []}

    def _set_state(self, ctx: RequestContext, name: str, state: str) -> None:
        row = self.db.query_one("SELECT doc FROM cw_insight_rules WHERE account = ? AND region = ? AND name = ?",
                                (ctx.account, ctx.region, name))
        if row is not None:
            doc = dict(json.loads(row["doc"]), State=state)
            self.db.execute("UPDATE cw_insight_rules SET doc = ? WHERE account = ? AND region = ? AND name = ?",
                            (json.dumps(doc), ctx.account, ctx.region, name))

    def _each_rule(self, ctx: RequestContext, names: list[str], action: Any) -> dict[str, Any]:
        """Apply `action` to each existing rule; the missing ones are Failures, as AWS reports them."""
        failures = []
        with self.db.tx():
            for name in names:
                if not _NAME.match(name) or self.db.query_one(
                        "SELECT 1 FROM cw_insight_rules WHERE account = ? AND region = ? AND name = ?",
                        (ctx.account, ctx.region, name)) is None:
                    failures.append({"FailureResource": name, "ExceptionType": "ResourceNotFoundException",
                                     "FailureCode": "404", "FailureDescription": "Rule does not exist"})
                    continue
                action(name)
        return {"Failures": failures}
