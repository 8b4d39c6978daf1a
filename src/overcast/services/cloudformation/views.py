"""How stacks, resources and templates look on the wire."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.cloudformation import template
from overcast.services.cloudformation.errors import CfnValidationError
from overcast.services.cloudformation.parameters import declarations_summary
from overcast.services.cloudformation.store import public

_IAM_NAMES = ("RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName")


def page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    try:
        start = int(token) if token else 0
    except ValueError:
        raise CfnValidationError("Invalid NextToken") from None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def stack_view(stack: dict[str, Any]) -> dict[str, Any]:
    view = public(stack)
    if not view.get("Outputs"):
        view.pop("Outputs", None)
    if not view.get("Parameters"):
        view.pop("Parameters", None)
    return view


def stack_summary(stack: dict[str, Any]) -> dict[str, Any]:
    keys = ("StackId", "StackName", "CreationTime", "LastUpdatedTime", "DeletionTime", "StackStatus",
            "StackStatusReason", "DriftInformation")
    out = {k: stack[k] for k in keys if k in stack}
    if stack.get("Description"):
        out["TemplateDescription"] = stack["Description"]
    return out


def _base(row: dict[str, Any]) -> dict[str, Any]:
    out = {"LogicalResourceId": row["LogicalResourceId"], "ResourceType": row["ResourceType"],
           "ResourceStatus": row.get("ResourceStatus", ""), "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"}}
    if row.get("PhysicalResourceId"):
        out["PhysicalResourceId"] = row["PhysicalResourceId"]
    if row.get("ResourceStatusReason"):
        out["ResourceStatusReason"] = row["ResourceStatusReason"]
    return out


def resource_detail(stack: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    out = {**_base(row), "StackName": stack["StackName"], "StackId": stack["StackId"],
           "LastUpdatedTimestamp": row.get("Timestamp")}
    if "Metadata" in row:
        out["Metadata"] = json.dumps(row["Metadata"])
    return out


def stack_resource(stack: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    return {**_base(row), "StackName": stack["StackName"], "StackId": stack["StackId"], "Timestamp": row.get("Timestamp")}


def resource_summary(row: dict[str, Any]) -> dict[str, Any]:
    return {**_base(row), "LastUpdatedTimestamp": row.get("Timestamp")}


def template_summary(text: str, *, brief: bool) -> dict[str, Any]:
    """ValidateTemplate's answer (`brief`) or GetTemplateSummary's."""
    document = template.parse(text)
    declared = template.transforms(document)
    if not declared:
        template.check(document)
    resources = document.get("Resources") or {}
    out: dict[str, Any] = {"Parameters": declarations_summary(document.get("Parameters") or {})}
    if document.get("Description") is not None:
        out["Description"] = str(document["Description"])
    capabilities, reason = _capabilities(resources, declared)
    if capabilities:
        out["Capabilities"] = capabilities
        out["CapabilitiesReason"] = reason
    if declared:
        out["DeclaredTransforms"] = declared
    if not brief:
        out["ResourceTypes"] = sorted({str(r.get("Type")) for r in resources.values() if isinstance(r, dict)})
        out["Version"] = str(document.get("AWSTemplateFormatVersion", "2010-09-09"))
        if document.get("Metadata") is not None:
            out["Metadata"] = json.dumps(document["Metadata"])
    return out


def _capabilities(resources: dict[str, Any], transforms: list[str]) -> tuple[list[str], str]:
    iam = sorted({str(r.get("Type")) for r in resources.values()
                  if isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::IAM::")})
    named = any(isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::IAM::")
                and any(n in (r.get("Properties") or {}) for n in _IAM_NAMES) for r in resources.values())
    if transforms:
        return ["CAPABILITY_AUTO_EXPAND"], f"The following resource(s) require capabilities: [{', '.join(transforms)}]"
    if not iam:
        return [], ""
    return (["CAPABILITY_NAMED_IAM"] if named else ["CAPABILITY_IAM"],
            f"The following resource(s) require capabilities: [{', '.join(iam)}]")
