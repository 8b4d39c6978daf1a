"""Conformance packs: PutConformancePack deploys the template's rules (named
`{rule}-conformance-pack-{suffix}`, created by `config-conforms.amazonaws.com`), Describe, Status,
Delete (which deletes its rules) and the pack's compliance (DescribeConformancePackCompliance,
GetConformancePackComplianceSummary, GetConformancePackComplianceDetails). A pack's compliance is
NON_COMPLIANT when any of its rules is, else COMPLIANT when some rule is, else INSUFFICIENT_DATA.

Organization conformance packs are kept with their status; overcast has no organization, so the
one member account is the caller's own, which reports the pack deployed."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.api_rules import RuleOperations, compliance
from overcast.services.config.models import RULE
from overcast.services.config.packs import pack_rules, parse_template
from overcast.services.config.s3io import read_object

PACK, ORG_PACK = "conformance-pack", "org-conformance-pack"
CONFORMS = "config-conforms.amazonaws.com"
_S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")
_NO_ORG_PACK = ("One or more organization conformance packs with specified names are not present. Ensure your names "
                "are correct and try your request again later.")


def _suffix() -> str:
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class PackOperations(RuleOperations):
    async def _template(self, ctx: RequestContext, body: str | None, uri: str | None) -> dict[str, Any]:
        if body:
            return parse_template(body)
        match = _S3_URI.match(uri or "")
        if not match:
            raise e.error("ValidationException", "Template body is invalid")
        data = await read_object(self.platform, ctx, match.group(1), match.group(2))
        if data is None:
            raise e.error("ValidationException", f"The template at {uri} could not be read. Check that the object "
                          "exists and that AWS Config can read it.")
        return parse_template(data.decode("utf-8", "replace"))

    async def put_conformance_pack(self, ctx: RequestContext, conformance_pack_name: str,
                                   template_s3_uri: str | None = None, template_body: str | None = None,
                                   delivery_s3_bucket: str | None = None, delivery_s3_key_prefix: str | None = None,
                                   conformance_pack_input_parameters: list[dict[str, str]] | None = None,
                                   **_: Any) -> dict[str, Any]:
        if not template_body and not template_s3_uri:
            raise e.error("ValidationException", "Template body is invalid")
        rules = pack_rules(await self._template(ctx, template_body, template_s3_uri),
                           conformance_pack_input_parameters)
        old = self.store.doc(ctx.account, ctx.region, PACK, conformance_pack_name) or {}
        suffix = old.get("_suffix") or _suffix()
        now = self.platform.clock.now()
        names = []
        for rule in rules:
            rule["ConfigRuleName"] = f"{rule['ConfigRuleName']}-conformance-pack-{suffix}"
            self.put_config_rule(ctx, {**rule, "CreatedBy": CONFORMS})
            names.append(rule["ConfigRuleName"])
        for gone in set(old.get("_rules") or []) - set(names):
            if self.store.doc(ctx.account, ctx.region, RULE, gone) is not None:
                self.delete_config_rule(ctx, gone)
        pack_id = old.get("ConformancePackId") or f"conformance-pack-{_suffix()}{_suffix()[:6]}"
        doc: dict[str, Any] = {
            "ConformancePackName": conformance_pack_name,
            "ConformancePackArn": old.get("ConformancePackArn") or (
                f"arn:aws:config:{ctx.region}:{ctx.account}:conformance-pack/{conformance_pack_name}/{pack_id}"),
            "ConformancePackId": pack_id, "ConformancePackInputParameters": conformance_pack_input_parameters or [],
            "LastUpdateRequestedTime": now, "_suffix": suffix, "_rules": names, "_created": old.get("_created", now),
            "_tags": old.get("_tags") or {}, "_state": "UPDATE_COMPLETE" if old else "CREATE_COMPLETE",
        }
        if delivery_s3_bucket:
            doc["DeliveryS3Bucket"] = delivery_s3_bucket
        if delivery_s3_key_prefix:
            doc["DeliveryS3KeyPrefix"] = delivery_s3_key_prefix
        self.store.put(ctx.account, ctx.region, PACK, conformance_pack_name, doc)
        return {"ConformancePackArn": doc["ConformancePackArn"]}

    def _pack(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(ctx.account, ctx.region, PACK, name)
        if doc is None:
            raise e.error("NoSuchConformancePackException", f"Could not find a conformance pack with the name "
                          f"'{name}'.")
        return doc

    def _packs(self, ctx: RequestContext, names: list[str] | None) -> list[dict[str, Any]]:
        return [self._pack(ctx, n) for n in names] if names else self.store.docs(ctx.account, ctx.region, PACK)

    def describe_conformance_packs(self, ctx: RequestContext, conformance_pack_names: list[str] | None = None,
                                   **_: Any) -> dict[str, Any]:
        return {"ConformancePackDetails": [_public(d) for d in self._packs(ctx, conformance_pack_names)]}

    def describe_conformance_pack_status(self, ctx: RequestContext, conformance_pack_names: list[str] | None = None,
                                         **_: Any) -> dict[str, Any]:
        return {"ConformancePackStatusDetails": [
            {"ConformancePackName": d["ConformancePackName"], "ConformancePackId": d["ConformancePackId"],
             "ConformancePackArn": d["ConformancePackArn"], "ConformancePackState": d["_state"],
             "StackArn": f"arn:aws:cloudformation:{ctx.region}:{ctx.account}:stack/awsconfigconforms-"
                         f"{d['ConformancePackName']}/{d['ConformancePackId']}",
             "LastUpdateRequestedTime": d["LastUpdateRequestedTime"],
             "LastUpdateCompletedTime": d["LastUpdateRequestedTime"]}
            for d in self._packs(ctx, conformance_pack_names)]}

    def delete_conformance_pack(self, ctx: RequestContext, conformance_pack_name: str, **_: Any) -> dict[str, Any]:
        doc = self._pack(ctx, conformance_pack_name)
        for name in doc.get("_rules") or []:
            if self.store.doc(ctx.account, ctx.region, RULE, name) is not None:
                self.delete_config_rule(ctx, name)
        self.store.delete(ctx.account, ctx.region, PACK, conformance_pack_name)
        return {}

    def _rule_compliance(self, ctx: RequestContext, rule_name: str) -> str:
        evaluations = self.store.evaluations(ctx.account, ctx.region, rule_name)
        return str(compliance([d["ComplianceType"] for d in evaluations])["ComplianceType"])

    def describe_conformance_pack_compliance(self, ctx: RequestContext, conformance_pack_name: str,
                                             filters: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        doc = self._pack(ctx, conformance_pack_name)
        filters = filters or {}
        out = []
        for name in doc.get("_rules") or []:
            state = self._rule_compliance(ctx, name)
            if filters.get("ConfigRuleNames") and name not in filters["ConfigRuleNames"]:
                continue
            if filters.get("ComplianceType") and state != filters["ComplianceType"]:
                continue
            out.append({"ConfigRuleName": name, "ComplianceType": state, "Controls": []})
        return {"ConformancePackName": conformance_pack_name, "ConformancePackRuleComplianceList": out}

    def get_conformance_pack_compliance_summary(self, ctx: RequestContext, conformance_pack_names: list[str],
                                                **_: Any) -> dict[str, Any]:
        out = []
        for doc in self._packs(ctx, conformance_pack_names):
            states = [self._rule_compliance(ctx, n) for n in doc.get("_rules") or []]
            status = "NON_COMPLIANT" if "NON_COMPLIANT" in states else (
                "COMPLIANT" if "COMPLIANT" in states else "INSUFFICIENT_DATA")
            out.append({"ConformancePackName": doc["ConformancePackName"], "ConformancePackComplianceStatus": status})
        return {"ConformancePackComplianceSummaryList": out}

    def get_conformance_pack_compliance_details(self, ctx: RequestContext, conformance_pack_name: str,
                                                filters: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        doc = self._pack(ctx, conformance_pack_name)
        filters = filters or {}
        results = []
        for name in doc.get("_rules") or []:
            if filters.get("ConfigRuleNames") and name not in filters["ConfigRuleNames"]:
                continue
            for ev in self.store.evaluations(ctx.account, ctx.region, name):
                if filters.get("ComplianceType") and ev["ComplianceType"] != filters["ComplianceType"]:
                    continue
                results.append({"ComplianceType": ev["ComplianceType"], "EvaluationResultIdentifier": {
                    "EvaluationResultQualifier": {"ConfigRuleName": name, "ResourceType": ev["ResourceType"],
                                                  "ResourceId": ev["ResourceId"], "EvaluationMode": "DETECTIVE"},
                    "OrderingTimestamp": ev["OrderingTimestamp"]},
                    "ConfigRuleInvokedTime": ev["ConfigRuleInvokedTime"],
                    "ResultRecordedTime": ev["ResultRecordedTime"],
                    **({"Annotation": ev["Annotation"]} if ev.get("Annotation") else {})})
        return {"ConformancePackName": conformance_pack_name, "ConformancePackRuleEvaluationResults": results}

    # -- organization conformance packs ----------------------------------------------------------------

    def put_organization_conformance_pack(self, ctx: RequestContext, organization_conformance_pack_name: str,
                                          template_s3_uri: str | None = None, template_body: str | None = None,
                                          delivery_s3_bucket: str | None = None,
                                          delivery_s3_key_prefix: str | None = None,
                                          conformance_pack_input_parameters: list[dict[str, str]] | None = None,
                                          excluded_accounts: list[str] | None = None, **_: Any) -> dict[str, Any]:
        if template_s3_uri is not None and not template_s3_uri.startswith("s3://"):
            raise e.validation(template_s3_uri, "templateS3Uri", "Member must satisfy regular expression pattern: "
                               "s3://.*")
        if not template_body and not template_s3_uri:
            raise e.error("ValidationException", "Template body is invalid")
        if template_body:
            parse_template(template_body)
        name = organization_conformance_pack_name
        old = self.store.doc(ctx.account, ctx.region, ORG_PACK, name) or {}
        doc = {"OrganizationConformancePackName": name,
               "OrganizationConformancePackArn": old.get("OrganizationConformancePackArn") or (
                   f"arn:aws:config:{ctx.region}:{ctx.account}:organization-conformance-pack/{name}-{_suffix()}"),
               "DeliveryS3Bucket": delivery_s3_bucket or "", "DeliveryS3KeyPrefix": delivery_s3_key_prefix or "",
               "ConformancePackInputParameters": conformance_pack_input_parameters or [],
               "ExcludedAccounts": excluded_accounts or [], "LastUpdateTime": self.platform.clock.now(),
               "_status": "UPDATE_SUCCESSFUL" if old else "CREATE_SUCCESSFUL",
               "_template": template_s3_uri or ""}
        self.store.put(ctx.account, ctx.region, ORG_PACK, name, doc)
        return {"OrganizationConformancePackArn": doc["OrganizationConformancePackArn"]}

    def _org_packs(self, ctx: RequestContext, names: list[str] | None) -> list[dict[str, Any]]:
        if not names:
            return self.store.docs(ctx.account, ctx.region, ORG_PACK)
        found = [self.store.doc(ctx.account, ctx.region, ORG_PACK, n) for n in names]
        if any(d is None for d in found):
            raise e.error("NoSuchOrganizationConformancePackException", _NO_ORG_PACK)
        return [d for d in found if d is not None]

    def describe_organization_conformance_packs(self, ctx: RequestContext,
                                                organization_conformance_pack_names: list[str] | None = None,
                                                **_: Any) -> dict[str, Any]:
        return {"OrganizationConformancePacks": [_public(d) for d in self._org_packs(
            ctx, organization_conformance_pack_names)]}

    def describe_organization_conformance_pack_statuses(self, ctx: RequestContext,
                                                        organization_conformance_pack_names: list[str] | None = None,
                                                        **_: Any) -> dict[str, Any]:
        return {"OrganizationConformancePackStatuses": [
            {"OrganizationConformancePackName": d["OrganizationConformancePackName"], "Status": d["_status"],
             "LastUpdateTime": d["LastUpdateTime"]}
            for d in self._org_packs(ctx, organization_conformance_pack_names)]}

    def get_organization_conformance_pack_detailed_status(self, ctx: RequestContext,
                                                          organization_conformance_pack_name: str,
                                                          **_: Any) -> dict[str, Any]:
        doc = self._org_packs(ctx, [organization_conformance_pack_name])[0]
        arn = doc["OrganizationConformancePackArn"]
        return {"OrganizationConformancePackDetailedStatuses": [
            {"AccountId": ctx.account, "ConformancePackName": f"OrgConformsPack-{arn.rsplit('/', 1)[-1]}",
             "Status": doc["_status"], "LastUpdateTime": doc["LastUpdateTime"]}]}

    def delete_organization_conformance_pack(self, ctx: RequestContext, organization_conformance_pack_name: str,
                                             **_: Any) -> dict[str, Any]:
        name = organization_conformance_pack_name
        if self.store.doc(ctx.account, ctx.region, ORG_PACK, name) is None:
            raise e.error("NoSuchOrganizationConformancePackException", "Could not find an "
                          f"OrganizationConformancePack for given request with resourceName {name}")
        self.store.delete(ctx.account, ctx.region, ORG_PACK, name)
        return {}
