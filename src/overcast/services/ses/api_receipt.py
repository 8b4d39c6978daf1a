"""SES v1 receipt rule sets, receipt rules and receipt filters."""

from __future__ import annotations

import copy
from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import rule_targets, rules
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.identities import page


class ReceiptOperations(ApiBase):
    def create_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str) -> dict[str, Any]:
        rules.check_name(rule_set_name, "ruleSetName")
        rules.create(self.platform, ctx.account, ctx.region, rule_set_name)
        return {}

    def clone_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str, original_rule_set_name: str) -> dict[str, Any]:
        rules.check_name(rule_set_name, "ruleSetName")
        original = rules.get(self.platform, ctx.account, ctx.region, original_rule_set_name)
        rules.create(self.platform, ctx.account, ctx.region, rule_set_name, copy.deepcopy(original["Rules"]))
        return {}

    def delete_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str) -> dict[str, Any]:
        rules.delete(self.platform, ctx.account, ctx.region, rule_set_name)
        return {}

    def describe_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str) -> dict[str, Any]:
        doc = rules.get(self.platform, ctx.account, ctx.region, rule_set_name)
        return {"Metadata": rules.metadata(doc), "Rules": doc["Rules"]}

    def describe_active_receipt_rule_set(self, ctx: RequestContext) -> dict[str, Any]:
        doc = rules.active(self.platform, ctx.account, ctx.region)
        return {"Metadata": rules.metadata(doc), "Rules": doc["Rules"]} if doc else {}

    def set_active_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str | None = None) -> dict[str, Any]:
        rules.set_active(self.platform, ctx.account, ctx.region, rule_set_name)
        return {}

    def list_receipt_rule_sets(self, ctx: RequestContext, next_token: str | None = None) -> dict[str, Any]:
        docs = rules.listed(self.platform, ctx.account, ctx.region)
        chunk, token = page(docs, next_token, None, default=100)
        return {"RuleSets": [rules.metadata(d) for d in chunk], **({"NextToken": token} if token else {})}

    def reorder_receipt_rule_set(self, ctx: RequestContext, rule_set_name: str, rule_names: list[str]) -> dict[str, Any]:
        rules.reorder(self.platform, ctx.account, ctx.region, rule_set_name, rule_names)
        return {}

    def create_receipt_rule(self, ctx: RequestContext, rule_set_name: str, rule: dict[str, Any],
                            after: str | None = None) -> dict[str, Any]:
        rules.check_name(rule_set_name, "ruleSetName")
        rules.check_name(str(rule.get("Name", "")), "rule.name")
        rules.get(self.platform, ctx.account, ctx.region, rule_set_name)
        rule_targets.check(self.platform, rule, rule_targets.ses_auth(
            self.platform, ctx.account, ctx.region, rule_set_name, str(rule.get("Name", ""))))
        rules.add_rule(self.platform, ctx.account, ctx.region, rule_set_name, rule, after)
        return {}

    def update_receipt_rule(self, ctx: RequestContext, rule_set_name: str, rule: dict[str, Any]) -> dict[str, Any]:
        rules.check_name(str(rule.get("Name", "")), "rule.name")
        rules.get(self.platform, ctx.account, ctx.region, rule_set_name)
        rule_targets.check(self.platform, rule, rule_targets.ses_auth(
            self.platform, ctx.account, ctx.region, rule_set_name, str(rule.get("Name", ""))))
        rules.update_rule(self.platform, ctx.account, ctx.region, rule_set_name, rule)
        return {}

    def delete_receipt_rule(self, ctx: RequestContext, rule_set_name: str, rule_name: str) -> dict[str, Any]:
        rules.delete_rule(self.platform, ctx.account, ctx.region, rule_set_name, rule_name)
        return {}

    def describe_receipt_rule(self, ctx: RequestContext, rule_set_name: str, rule_name: str) -> dict[str, Any]:
        return {"Rule": rules.rule(self.platform, ctx.account, ctx.region, rule_set_name, rule_name)}

    def set_receipt_rule_position(self, ctx: RequestContext, rule_set_name: str, rule_name: str,
                                  after: str | None = None) -> dict[str, Any]:
        rules.move_rule(self.platform, ctx.account, ctx.region, rule_set_name, rule_name, after)
        return {}

    def create_receipt_filter(self, ctx: RequestContext, filter: dict[str, Any]) -> dict[str, Any]:
        rules.add_filter(self.platform, ctx.account, ctx.region, filter)
        return {}

    def delete_receipt_filter(self, ctx: RequestContext, filter_name: str) -> dict[str, Any]:
        rules.delete_filter(self.platform, ctx.account, ctx.region, filter_name)
        return {}

    def list_receipt_filters(self, ctx: RequestContext) -> dict[str, Any]:
        return {"Filters": rules.filters(self.platform, ctx.account, ctx.region)}
