"""Config rules and their results: PutConfigRule, DescribeConfigRules, DeleteConfigRule,
StartConfigRulesEvaluation, PutEvaluations, DescribeComplianceByConfigRule/ByResource and
GetComplianceDetailsByConfigRule/ByResource.

A rule's compliance is AWS's: NON_COMPLIANT when any resource it evaluated is, COMPLIANT when it
evaluated some and none is NON_COMPLIANT, INSUFFICIENT_DATA when it has evaluated nothing;
NOT_APPLICABLE evaluations do not count
(https://docs.aws.amazon.com/config/latest/APIReference/API_Compliance.html)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.config import errors as e
from overcast.services.config import rules
from overcast.services.config.api_base import ApiBase
from overcast.services.config.models import RULE

_OWNERS = ("CUSTOM_LAMBDA", "AWS", "CUSTOM_POLICY")
RULES_PAGE = 25


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def compliance(types: list[str]) -> dict[str, Any]:
    """The Compliance of a rule or a resource from the ComplianceTypes of its evaluations."""
    counted = [t for t in types if t != "NOT_APPLICABLE"]
    failing = counted.count("NON_COMPLIANT")
    if failing:
        return {"ComplianceType": "NON_COMPLIANT",
                "ComplianceContributorCount": {"CappedCount": min(failing, 100), "CapExceeded": failing > 100}}
    if counted:
        return {"ComplianceType": "COMPLIANT"}
    return {"ComplianceType": "INSUFFICIENT_DATA"}


def _result(doc: dict[str, Any], rule_name: str) -> dict[str, Any]:
    result = {"EvaluationResultIdentifier": {
                  "EvaluationResultQualifier": {"ConfigRuleName": rule_name, "ResourceType": doc["ResourceType"],
                                                "ResourceId": doc["ResourceId"], "EvaluationMode": "DETECTIVE"},
                  "OrderingTimestamp": doc["OrderingTimestamp"]},
              "ComplianceType": doc["ComplianceType"], "ResultRecordedTime": doc["ResultRecordedTime"],
              "ConfigRuleInvokedTime": doc["ConfigRuleInvokedTime"]}
    if doc.get("Annotation"):
        result["Annotation"] = doc["Annotation"]
    return result


class RuleOperations(ApiBase):
    def _rule(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(ctx.account, ctx.region, RULE, name)
        if doc is None:
            raise e.no_rule(name)
        return doc

    def put_config_rule(self, ctx: RequestContext, config_rule: dict[str, Any], tags: Any = None,
                        **_: Any) -> dict[str, Any]:
        name = config_rule.get("ConfigRuleName") or self._name_by_id(ctx, config_rule)
        if not name:
            raise e.invalid("One or more identifiers needs to be provided. Provide Name or Id or Arn")
        self._check_scope(config_rule.get("Scope") or {})
        self._check_source(ctx, config_rule["Source"])
        self._check_parameters(config_rule.get("InputParameters"))
        old = self.store.doc(ctx.account, ctx.region, RULE, name)
        if old is None and (config_rule.get("ConfigRuleArn") or config_rule.get("ConfigRuleId")):
            raise e.invalid("ConfigRule Arn and Id can not be specified when creating a new ConfigRule.")
        rule_id = old["ConfigRuleId"] if old else f"config-rule-{uuid.uuid4().hex[:6]}"
        doc = {k: v for k, v in config_rule.items() if k not in ("ConfigRuleArn", "ConfigRuleId", "ConfigRuleState")}
        doc["_tags"] = {**((old or {}).get("_tags") or {}), **{t["Key"]: t.get("Value", "") for t in tags or []}}
        doc["_created"] = (old or {}).get("_created") or self.platform.clock.now()
        doc.update(ConfigRuleName=name, ConfigRuleId=rule_id, ConfigRuleState="ACTIVE",
                   ConfigRuleArn=f"arn:aws:config:{ctx.region}:{ctx.account}:config-rule/{rule_id}",
                   EvaluationModes=config_rule.get("EvaluationModes") or [{"Mode": "DETECTIVE"}])
        with self.platform.db.tx():
            # a new or changed rule evaluates what is recorded at once, then on changes and on its schedule
            rules.run_rule(self.platform, ctx.account, ctx.region, doc)
            every = rules.period(doc)
            if every is not None:
                doc["_next_run"] = self.platform.clock.now() + self.platform.clock.scaled(every)
            self.store.put(ctx.account, ctx.region, RULE, name, doc)
        self.wake_recorder()
        return {}

    def _name_by_id(self, ctx: RequestContext, config_rule: dict[str, Any]) -> str | None:
        """An update may name its rule by ConfigRuleArn or ConfigRuleId instead of ConfigRuleName."""
        for rule in self.store.docs(ctx.account, ctx.region, RULE):
            if config_rule.get("ConfigRuleArn") in (rule["ConfigRuleArn"],) or \
                    config_rule.get("ConfigRuleId") in (rule["ConfigRuleId"],):
                return str(rule["ConfigRuleName"])
        return None

    @staticmethod
    def _check_scope(scope: dict[str, Any]) -> None:
        """AWS's rules for a rule's Scope: by resource type(s) and id, or by tag, not both."""
        if scope.get("TagValue") and not scope.get("TagKey"):
            raise e.invalid("Tag key should not be empty when tag value is provided in scope")
        if scope.get("ComplianceResourceId") and len(scope.get("ComplianceResourceTypes") or []) != 1:
            raise e.invalid("A single resourceType should be provided when resourceId is provided in scope")
        if scope.get("TagKey") and scope.get("ComplianceResourceId"):
            raise e.invalid("Scope cannot be applied to both resource and tag")

    def _check_source(self, ctx: RequestContext, source: dict[str, Any]) -> None:
        owner = source.get("Owner")
        if owner not in _OWNERS:
            raise e.validation(owner, "configRule.source.owner",
                               "Member must satisfy enum value set: [CUSTOM_LAMBDA, AWS, CUSTOM_POLICY]")
        if owner == "AWS" and source.get("SourceDetails"):
            raise e.invalid("SourceDetails should be null/empty if the owner is AWS. SourceDetails should be "
                            "provided if the owner is CUSTOM_LAMBDA.")
        if owner != "CUSTOM_LAMBDA":
            if owner == "AWS" and not source.get("SourceIdentifier"):
                raise e.invalid("SourceIdentifier is required when the owner is AWS.")
            return
        if not source.get("SourceDetails"):
            raise e.invalid("SourceDetails should be null/empty if the owner is AWS. SourceDetails should be "
                            "provided if the owner is CUSTOM_LAMBDA.")
        arn = source.get("SourceIdentifier") or ""
        if not self._function_exists(ctx, arn):
            raise e.error("InsufficientPermissionsException",
                          f"The AWS Lambda function {arn} cannot be invoked. Check the specified function ARN, "
                          "and check the function's permissions.")

    def _function_exists(self, ctx: RequestContext, arn: str) -> bool:
        gateway = self.platform.gateway
        if gateway is None or "lambda" not in gateway.specs:
            return True
        if not arn.startswith("arn:aws:lambda:"):
            return False
        try:
            gateway.api("lambda").get_function(ctx.internal("lambda", "GetFunction"), function_name=arn)
        except ServiceError:
            return False
        return True

    @staticmethod
    def _check_parameters(parameters: str | None) -> None:
        if parameters is None:
            return
        try:
            parsed = json.loads(parameters)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise e.invalid(f"Invalid json {parameters} passed in the InputParameters field")

    def describe_config_rules(self, ctx: RequestContext, config_rule_names: list[str] | None = None,
                              next_token: str | None = None, **_: Any) -> dict[str, Any]:
        if config_rule_names:
            found = [self._rule(ctx, name) for name in config_rule_names]
        else:
            found = self.store.docs(ctx.account, ctx.region, RULE)
        names = [doc["ConfigRuleName"] for doc in found]
        if next_token is not None and next_token not in names:
            raise e.error("InvalidNextTokenException", "The nextToken provided is invalid")
        start = names.index(next_token) if next_token else 0
        out: dict[str, Any] = {"ConfigRules": [_public(doc) for doc in found[start:start + RULES_PAGE]]}
        if start + RULES_PAGE < len(found):  # AWS returns 25 rules a page
            out["NextToken"] = names[start + RULES_PAGE]
        return out

    def delete_config_rule(self, ctx: RequestContext, config_rule_name: str, **_: Any) -> dict[str, Any]:
        self._rule(ctx, config_rule_name)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, RULE, config_rule_name)
            self.store.delete_rule_state(ctx.account, ctx.region, config_rule_name)
        return {}

    def start_config_rules_evaluation(self, ctx: RequestContext, config_rule_names: list[str] | None = None,
                                      **_: Any) -> dict[str, Any]:
        names = config_rule_names or []
        found = [self._rule(ctx, name) for name in names]
        with self.platform.db.tx():
            for rule in found:
                rules.run_rule(self.platform, ctx.account, ctx.region, rule)
        return {}

    def put_evaluations(self, ctx: RequestContext, result_token: str, evaluations: list[dict[str, Any]] | None = None,
                        test_mode: bool = False, **_: Any) -> dict[str, Any]:
        if not evaluations:
            raise e.invalid("The Evaluations object in your request cannot be null. Add the required parameters "
                            "and try again.")
        token = self.store.token(result_token)
        if token is None or (token["account"], token["region"]) != (ctx.account, ctx.region):
            raise e.error("InvalidResultTokenException", "The resultToken provided is invalid")
        for evaluation in evaluations or []:
            if evaluation["ComplianceType"] == "INSUFFICIENT_DATA":
                raise e.invalid("The ComplianceType INSUFFICIENT_DATA is not supported for PutEvaluations.")
        rule = self._rule(ctx, token["rule_name"])
        if not test_mode:
            with self.platform.db.tx():
                for evaluation in evaluations or []:
                    rules.store_evaluation(self.platform, ctx.account, ctx.region, rule, evaluation,
                                           invoked_at=token["invoked_at"])
        return {"FailedEvaluations": []}

    def describe_config_rule_evaluation_status(self, ctx: RequestContext, config_rule_names: list[str] | None = None,
                                               limit: int | None = None, **_: Any) -> dict[str, Any]:
        """When each rule was activated, last invoked (its function's event sent) and last evaluated."""
        found = ([self._rule(ctx, n) for n in config_rule_names] if config_rule_names
                 else self.store.docs(ctx.account, ctx.region, RULE))
        out = []
        for rule in found[:limit or None]:
            status: dict[str, Any] = {"ConfigRuleName": rule["ConfigRuleName"], "ConfigRuleArn": rule["ConfigRuleArn"],
                                      "ConfigRuleId": rule["ConfigRuleId"], "FirstActivatedTime": rule.get("_created")}
            invoked = self.store.last_invocation(ctx.account, ctx.region, rule["ConfigRuleName"])
            evaluated = [doc["ResultRecordedTime"] for doc in
                         self.store.evaluations(ctx.account, ctx.region, rule["ConfigRuleName"])]
            status["FirstEvaluationStarted"] = invoked is not None or bool(evaluated)
            if invoked is not None:
                status["LastSuccessfulInvocationTime"] = invoked
            if evaluated:
                status["LastSuccessfulEvaluationTime"] = max(evaluated)
            out.append(status)
        return {"ConfigRulesEvaluationStatus": out}

    # -- compliance ------------------------------------------------------------------------------

    def describe_compliance_by_config_rule(self, ctx: RequestContext, config_rule_names: list[str] | None = None,
                                           compliance_types: list[str] | None = None, **_: Any) -> dict[str, Any]:
        found = ([self._rule(ctx, n) for n in config_rule_names] if config_rule_names
                 else self.store.docs(ctx.account, ctx.region, RULE))
        out = []
        for rule in found:
            evaluations = self.store.evaluations(ctx.account, ctx.region, rule["ConfigRuleName"])
            state = compliance([doc["ComplianceType"] for doc in evaluations])
            if not compliance_types or state["ComplianceType"] in compliance_types:
                out.append({"ConfigRuleName": rule["ConfigRuleName"], "Compliance": state})
        return {"ComplianceByConfigRules": out}

    def describe_compliance_by_resource(self, ctx: RequestContext, resource_type: str | None = None,
                                        resource_id: str | None = None, compliance_types: list[str] | None = None,
                                        **_: Any) -> dict[str, Any]:
        if resource_id and not resource_type:
            raise e.invalid("The ResourceType is required when you specify a ResourceId.")
        grouped: dict[tuple[str, str], list[str]] = {}
        for doc in self.store.evaluations(ctx.account, ctx.region):
            if (resource_type and doc["ResourceType"] != resource_type) or (resource_id and doc["ResourceId"] != resource_id):
                continue
            grouped.setdefault((doc["ResourceType"], doc["ResourceId"]), []).append(doc["ComplianceType"])
        out = []
        for (kind, rid), types in sorted(grouped.items()):
            state = compliance(types)
            if not compliance_types or state["ComplianceType"] in compliance_types:
                out.append({"ResourceType": kind, "ResourceId": rid, "Compliance": state})
        return {"ComplianceByResources": out}

    def get_compliance_details_by_config_rule(self, ctx: RequestContext, config_rule_name: str,
                                              compliance_types: list[str] | None = None, **_: Any) -> dict[str, Any]:
        self._rule(ctx, config_rule_name)
        docs = self.store.evaluations(ctx.account, ctx.region, config_rule_name)
        return {"EvaluationResults": [_result(doc, config_rule_name) for doc in docs
                                      if not compliance_types or doc["ComplianceType"] in compliance_types]}

    def get_compliance_details_by_resource(self, ctx: RequestContext, resource_type: str | None = None,
                                           resource_id: str | None = None, compliance_types: list[str] | None = None,
                                           **_: Any) -> dict[str, Any]:
        results = []
        for rule in self.store.docs(ctx.account, ctx.region, RULE):
            doc = self.store.evaluation(ctx.account, ctx.region, rule["ConfigRuleName"], resource_type or "",
                                        resource_id or "")
            if doc is not None and (not compliance_types or doc["ComplianceType"] in compliance_types):
                results.append(_result(doc, rule["ConfigRuleName"]))
        return {"EvaluationResults": results}
