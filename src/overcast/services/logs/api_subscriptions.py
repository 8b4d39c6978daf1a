"""Subscription filters and account-level subscription filter policies: PutSubscriptionFilter,
DescribeSubscriptionFilters, DeleteSubscriptionFilter, PutAccountPolicy, DescribeAccountPolicies,
DeleteAccountPolicy.

AWS ([PutSubscriptionFilter](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html)):
at most two filters per log group (a third is LimitExceededException); a filter of the same name
is replaced; the destination is checked when the filter is put — a Lambda function must allow
CloudWatch Logs (`logs.amazonaws.com`) to invoke it, a Kinesis or Firehose stream must exist — and
is sent a CONTROL_MESSAGE. Matching events are delivered by `subscriptions.py`.
"""

from __future__ import annotations

import json
from typing import Any

from overcast import arns, documents
from overcast.context import RequestContext
from overcast.delivery import Registry
from overcast.platform import Platform
from overcast.services.logs import subscriptions as subs
from overcast.services.logs.errors import InvalidParameter, LimitExceeded, ResourceNotFound
from overcast.services.logs.filter_pattern import FilterPatternError, compile_pattern
from overcast.services.logs.models import LogStore

MAX_FILTERS_PER_GROUP = 2
LAMBDA_DENIED = ("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to "
                 "execute your function.")
CONTROL_TEXT = {"lambda": "Lambda", "kinesis": "Kinesis stream", "firehose": "Firehose"}


class SubscriptionOperations:
    """Mixed into `LogsApi`: uses its `db`, `clock`, `store` and `platform`."""

    db: Any
    clock: Any
    store: LogStore
    platform: Platform

    def put_subscription_filter(self, ctx: RequestContext, log_group_name: str, filter_name: str,
                                filter_pattern: str, destination_arn: str, role_arn: str | None = None,
                                distribution: str | None = None, apply_on_transformed_logs: bool | None = None,
                                **_: Any) -> dict[str, Any]:
        self.store.group(ctx.account, ctx.region, log_group_name)
        _compile(filter_pattern)
        self._check_destination(destination_arn)
        with self.db.tx():
            names = [r["name"] for r in self.db.query(
                "SELECT name FROM logs_subscriptions WHERE account=? AND region=? AND group_name=?",
                (ctx.account, ctx.region, log_group_name))]
            if filter_name not in names and len(names) >= MAX_FILTERS_PER_GROUP:
                raise LimitExceeded("Resource limit exceeded.")
            self.db.execute(
                "INSERT OR REPLACE INTO logs_subscriptions(account, region, group_name, name, pattern, destination_arn, "
                "role_arn, distribution, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ctx.account, ctx.region, log_group_name, filter_name, filter_pattern, destination_arn, role_arn,
                 distribution or "ByLogStream", int(self.clock.now() * 1000)))
            self._control_message(destination_arn)
        return {}

    def describe_subscription_filters(self, ctx: RequestContext, log_group_name: str,
                                      filter_name_prefix: str | None = None, next_token: str | None = None,
                                      limit: int | None = None) -> dict[str, Any]:
        self.store.group(ctx.account, ctx.region, log_group_name)
        rows = self.db.query("SELECT * FROM logs_subscriptions WHERE account=? AND region=? AND group_name=? "
                             "ORDER BY name", (ctx.account, ctx.region, log_group_name))
        found = [r for r in rows if not filter_name_prefix or r["name"].startswith(filter_name_prefix)]
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = limit or 50
        page = found[start:start + size]
        result: dict[str, Any] = {"subscriptionFilters": [_filter(r) for r in page]}
        if start + size < len(found):
            result["nextToken"] = str(start + size)
        return result

    def delete_subscription_filter(self, ctx: RequestContext, log_group_name: str, filter_name: str) -> dict[str, Any]:
        self.store.group(ctx.account, ctx.region, log_group_name)
        cursor = self.db.execute("DELETE FROM logs_subscriptions WHERE account=? AND region=? AND group_name=? "
                                 "AND name=?", (ctx.account, ctx.region, log_group_name, filter_name))
        if not cursor.rowcount:
            raise ResourceNotFound("The specified subscription filter does not exist.")
        return {}

    # -- account policies -----------------------------------------------------------------------

    def put_account_policy(self, ctx: RequestContext, policy_name: str, policy_document: str, policy_type: str,
                           scope: str | None = None, selection_criteria: str | None = None) -> dict[str, Any]:
        try:
            doc = documents.loads(policy_document)
        except ValueError:
            raise InvalidParameter("Policy document is not valid JSON.") from None
        if policy_type == subs.SUBSCRIPTION_POLICY:
            if not isinstance(doc, dict) or not doc.get("DestinationArn"):
                raise InvalidParameter("DestinationArn is required in a subscription filter policy document.")
            _compile(str(doc.get("FilterPattern", "")))
            self._check_destination(str(doc["DestinationArn"]))
        policy = {"policyName": policy_name, "policyDocument": policy_document, "policyType": policy_type,
                  "scope": scope or "ALL", "lastUpdatedTime": int(self.clock.now() * 1000), "accountId": ctx.account}
        if selection_criteria:
            policy["selectionCriteria"] = selection_criteria
        with self.db.tx():
            self.db.execute("INSERT OR REPLACE INTO logs_account_policies(account, region, type, name, doc) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (ctx.account, ctx.region, policy_type, policy_name, json.dumps(policy)))
            if policy_type == subs.SUBSCRIPTION_POLICY:
                self._control_message(str(doc["DestinationArn"]))
        return {"accountPolicy": policy}

    def describe_account_policies(self, ctx: RequestContext, policy_type: str, policy_name: str | None = None,
                                  account_identifiers: list[str] | None = None, **_: Any) -> dict[str, Any]:
        rows = self.db.query("SELECT doc FROM logs_account_policies WHERE account=? AND region=? AND type=? "
                             "ORDER BY name", (ctx.account, ctx.region, policy_type))
        policies = [json.loads(r["doc"]) for r in rows]
        return {"accountPolicies": [p for p in policies if policy_name in (None, p["policyName"])]}

    def delete_account_policy(self, ctx: RequestContext, policy_name: str, policy_type: str) -> dict[str, Any]:
        cursor = self.db.execute("DELETE FROM logs_account_policies WHERE account=? AND region=? AND type=? AND name=?",
                                 (ctx.account, ctx.region, policy_type, policy_name))
        if not cursor.rowcount:
            raise ResourceNotFound("Policy with name [" + policy_name + "] does not exist")
        return {}

    # -- destinations ---------------------------------------------------------------------------

    def _check_destination(self, destination_arn: str) -> None:
        try:
            arn = arns.parse(destination_arn)
        except ValueError:
            raise InvalidParameter(f"Invalid destinationArn: {destination_arn}") from None
        if arn.service == "lambda":
            from overcast.services.lambda_.inbox import allows_service

            if not allows_service(self.platform, destination_arn, "logs"):
                raise InvalidParameter(LAMBDA_DENIED)
        elif arn.service == "kinesis":
            if self.platform.component(Registry).source_missing(self.platform, "kinesis", destination_arn):
                raise InvalidParameter("Could not deliver test message to specified Kinesis stream. Check if the "
                                       "given kinesis stream is in ACTIVE state. ")
        elif arn.service == "firehose":
            from overcast.services.firehose.inbox import stream_exists

            if not stream_exists(self.platform, destination_arn):
                raise InvalidParameter("Could not deliver test message to specified Firehose stream. Check if the "
                                       "given Firehose stream is in ACTIVE state.")
        elif not (arn.service == "logs" and arn.resource.startswith("destination:")):
            raise InvalidParameter(f"Invalid destinationArn: {destination_arn}")

    def _control_message(self, destination_arn: str) -> None:
        """AWS checks a new destination's health with a CONTROL_MESSAGE, which consumers skip."""
        service = arns.parse(destination_arn).service
        if service not in CONTROL_TEXT:
            return
        message = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
                   "subscriptionFilters": [],
                   "logEvents": [{"id": "", "timestamp": int(self.clock.now() * 1000),
                                  "message": f"CWL CONTROL MESSAGE: Checking health of destination "
                                             f"{CONTROL_TEXT[service]}."}]}
        subs.send(self.platform, destination_arn, message)


def _compile(pattern: str) -> None:
    try:
        compile_pattern(pattern)
    except FilterPatternError as exc:
        raise InvalidParameter(str(exc)) from None


def _filter(row: Any) -> dict[str, Any]:
    out = {"filterName": row["name"], "logGroupName": row["group_name"], "filterPattern": row["pattern"],
           "destinationArn": row["destination_arn"], "distribution": row["distribution"],
           "creationTime": row["created"], "applyOnTransformedLogs": False}
    if row["role_arn"]:
        out["roleArn"] = row["role_arn"]
    return out
