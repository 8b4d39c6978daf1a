"""Sampling rules (Create/Get/Update/DeleteSamplingRule, GetSamplingTargets,
GetSamplingStatisticSummaries) and groups (Create/Get/Update/DeleteGroup, GetGroups).

Every account has X-Ray's `Default` rule (priority 10000, a reservoir of 1 request a second, then 5%),
which can be updated but not deleted
(https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html). overcast has one
sampling client per rule, so GetSamplingTargets hands each rule's whole reservoir to its caller.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.xray.errors import InvalidRequest, RuleLimitExceeded
from overcast.services.xray.filters import FilterError, compile_filter

DEFAULT_RULE = {"RuleName": "Default", "ResourceARN": "*", "Priority": 10000, "FixedRate": 0.05, "ReservoirSize": 1,
                "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1,
                "Attributes": {}}
MAX_RULES = 25
#: seconds a sampling target stays valid, and how often SDKs report (X-Ray's figures)
TARGET_TTL = 10
INTERVAL = 10
_RULE_FIELDS = ("ResourceARN", "Priority", "FixedRate", "ReservoirSize", "ServiceName", "ServiceType", "Host",
                "HTTPMethod", "URLPath", "Attributes", "SamplingRateBoost")


class SamplingOperations:
    db: Any
    platform: Any

    # -- sampling rules -----------------------------------------------------------------------

    def _rules(self, ctx: RequestContext) -> dict[str, dict[str, Any]]:
        rows = self.db.query("SELECT name, doc FROM xray_sampling_rules WHERE account = ? AND region = ?",
                             (ctx.account, ctx.region))
        records = {r["name"]: json.loads(r["doc"]) for r in rows}
        if "Default" not in records:
            records["Default"] = self._record(ctx, dict(DEFAULT_RULE), 0.0)
        return records

    def _record(self, ctx: RequestContext, rule: dict[str, Any], created: float) -> dict[str, Any]:
        rule["RuleARN"] = f"arn:aws:xray:{ctx.region}:{ctx.account}:sampling-rule/{rule['RuleName']}"
        rule.setdefault("Attributes", {})
        return {"SamplingRule": rule, "CreatedAt": created, "ModifiedAt": self.platform.clock.now()}

    def _save(self, ctx: RequestContext, record: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO xray_sampling_rules(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (ctx.account, ctx.region, record["SamplingRule"]["RuleName"], json.dumps(record)))

    def _find(self, ctx: RequestContext, name: str | None, arn: str | None) -> dict[str, Any]:
        for record in self._rules(ctx).values():
            rule = record["SamplingRule"]
            if (name and rule["RuleName"] == name) or (arn and rule["RuleARN"] == arn):
                return record
        raise InvalidRequest("Sampling rule does not exist")

    def create_sampling_rule(self, ctx: RequestContext, sampling_rule: dict[str, Any],
                             tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        name = sampling_rule.get("RuleName")
        if not name:
            raise InvalidRequest("RuleName is required")
        rules = self._rules(ctx)
        if name in rules:
            raise InvalidRequest(f"A sampling rule with the name {name} already exists")
        if len(rules) > MAX_RULES:
            raise RuleLimitExceeded("You have reached the maximum number of sampling rules")
        _check_rate(sampling_rule)
        record = self._record(ctx, {k: v for k, v in sampling_rule.items() if k != "RuleARN"},
                              self.platform.clock.now())
        self._save(ctx, record)
        return {"SamplingRuleRecord": record}

    def get_sampling_rules(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        records = sorted(self._rules(ctx).values(),
                         key=lambda r: (r["SamplingRule"]["Priority"], r["SamplingRule"]["RuleName"]))
        return {"SamplingRuleRecords": records}

    def update_sampling_rule(self, ctx: RequestContext, sampling_rule_update: dict[str, Any]) -> dict[str, Any]:
        record = self._find(ctx, sampling_rule_update.get("RuleName"), sampling_rule_update.get("RuleARN"))
        rule = record["SamplingRule"]
        if rule["RuleName"] == "Default" and set(sampling_rule_update) - {"RuleName", "RuleARN", "FixedRate",
                                                                          "ReservoirSize"}:
            raise InvalidRequest("Only FixedRate and ReservoirSize of the default rule can be changed")
        rule.update({k: v for k, v in sampling_rule_update.items() if k in _RULE_FIELDS})
        _check_rate(rule)
        record["ModifiedAt"] = self.platform.clock.now()
        self._save(ctx, record)
        return {"SamplingRuleRecord": record}

    def delete_sampling_rule(self, ctx: RequestContext, rule_name: str | None = None,
                             rule_arn: str | None = None) -> dict[str, Any]:
        record = self._find(ctx, rule_name, rule_arn)
        if record["SamplingRule"]["RuleName"] == "Default":
            raise InvalidRequest("The default sampling rule cannot be deleted")
        self.db.execute("DELETE FROM xray_sampling_rules WHERE account = ? AND region = ? AND name = ?",
                        (ctx.account, ctx.region, record["SamplingRule"]["RuleName"]))
        return {"SamplingRuleRecord": record}

    def get_sampling_targets(self, ctx: RequestContext, sampling_statistics_documents: list[dict[str, Any]],
                             **_: Any) -> dict[str, Any]:
        rules = self._rules(ctx)
        now = self.platform.clock.now()
        targets, unprocessed = [], []
        for stats in sampling_statistics_documents:
            record = rules.get(stats.get("RuleName", ""))
            if record is None:
                unprocessed.append({"RuleName": stats.get("RuleName"), "ErrorCode": "400",
                                    "Message": "Sampling rule does not exist"})
                continue
            rule = record["SamplingRule"]
            targets.append({"RuleName": rule["RuleName"], "FixedRate": rule["FixedRate"],
                            "ReservoirQuota": rule["ReservoirSize"], "ReservoirQuotaTTL": now + TARGET_TTL,
                            "Interval": INTERVAL})
        return {"SamplingTargetDocuments": targets, "UnprocessedStatistics": unprocessed,
                "LastRuleModification": max(r["ModifiedAt"] for r in rules.values())}

    def get_sampling_statistic_summaries(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        return {"SamplingStatisticSummaries": []}

    # -- groups -------------------------------------------------------------------------------

    def _group_arn(self, ctx: RequestContext, name: str) -> str:
        return f"arn:aws:xray:{ctx.region}:{ctx.account}:group/{name}"

    def _group(self, ctx: RequestContext, name: str | None, arn: str | None) -> dict[str, Any]:
        rows = self.db.query("SELECT doc FROM xray_groups WHERE account = ? AND region = ?", (ctx.account, ctx.region))
        for row in rows:
            group = json.loads(row["doc"])
            if (name and group["GroupName"] == name) or (arn and group["GroupARN"] == arn):
                return group  # type: ignore[no-any-return]
        raise InvalidRequest("Group not found")

    def group_filter(self, ctx: RequestContext, name: str | None, arn: str | None) -> str | None:
        """The filter expression of a group (None: every trace; the `Default` group has none)."""
        if (not name and not arn) or name == "Default":
            return None
        return self._group(ctx, name, arn).get("FilterExpression")

    def _save_group(self, ctx: RequestContext, group: dict[str, Any]) -> None:
        if group.get("FilterExpression"):
            try:
                compile_filter(group["FilterExpression"])
            except FilterError as exc:
                raise InvalidRequest(f"Invalid filter expression: {exc}") from None
        self.db.execute("INSERT OR REPLACE INTO xray_groups(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (ctx.account, ctx.region, group["GroupName"], json.dumps(group)))

    def create_group(self, ctx: RequestContext, group_name: str, filter_expression: str | None = None,
                     insights_configuration: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        if group_name == "Default" or self.db.query_one(
                "SELECT 1 FROM xray_groups WHERE account = ? AND region = ? AND name = ?",
                (ctx.account, ctx.region, group_name)):
            raise InvalidRequest(f"Group {group_name} already exists")
        group = {"GroupName": group_name, "GroupARN": self._group_arn(ctx, group_name),
                 "InsightsConfiguration": insights_configuration or {"InsightsEnabled": False,
                                                                    "NotificationsEnabled": False}}
        if filter_expression:
            group["FilterExpression"] = filter_expression
        self._save_group(ctx, group)
        return {"Group": group}

    def get_group(self, ctx: RequestContext, group_name: str | None = None, group_arn: str | None = None
                  ) -> dict[str, Any]:
        return {"Group": self._group(ctx, group_name, group_arn)}

    def get_groups(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        rows = self.db.query("SELECT doc FROM xray_groups WHERE account = ? AND region = ? ORDER BY name",
                             (ctx.account, ctx.region))
        default = {"GroupName": "Default", "GroupARN": self._group_arn(ctx, "Default"),
                   "InsightsConfiguration": {"InsightsEnabled": False, "NotificationsEnabled": False}}
        return {"Groups": [default, *(json.loads(r["doc"]) for r in rows)]}

    def update_group(self, ctx: RequestContext, group_name: str | None = None, group_arn: str | None = None,
                     filter_expression: str | None = None, insights_configuration: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        group = self._group(ctx, group_name, group_arn)
        if filter_expression is not None:
            group["FilterExpression"] = filter_expression
        if insights_configuration is not None:
            group["InsightsConfiguration"] = insights_configuration
        self._save_group(ctx, group)
        return {"Group": group}

    def delete_group(self, ctx: RequestContext, group_name: str | None = None, group_arn: str | None = None
                     ) -> dict[str, Any]:
        group = self._group(ctx, group_name, group_arn)
        self.db.execute("DELETE FROM xray_groups WHERE account = ? AND region = ? AND name = ?",
                        (ctx.account, ctx.region, group["GroupName"]))
        return {}


def _check_rate(rule: dict[str, Any]) -> None:
    rate = rule.get("FixedRate", 0)
    if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise InvalidRequest("FixedRate must be between 0 and 1")
