"""Conformance pack templates
(https://docs.aws.amazon.com/config/latest/developerguide/conformance-packs.html): a CloudFormation
template (YAML or JSON) whose `AWS::Config::ConfigRule` resources become the pack's rules, with
the template's `Parameters` (defaults, overridden by the pack's input parameters) substituted
where a property is `{"Ref": name}` / `!Ref name`."""

from __future__ import annotations

import json
from typing import Any

import yaml

from overcast.services.config import errors as e

RULE_TYPE = "AWS::Config::ConfigRule"
_SHORT_FORMS = {"Ref": "Ref", "Sub": "Fn::Sub", "GetAtt": "Fn::GetAtt", "If": "Fn::If", "Equals": "Fn::Equals",
                "Not": "Fn::Not", "Join": "Fn::Join", "Select": "Fn::Select", "Split": "Fn::Split"}


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (`!Ref x` is `{"Ref": "x"}`)."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {_SHORT_FORMS.get(suffix, f"Fn::{suffix}"): value}


_Loader.add_multi_constructor("!", _short_form)


def parse_template(body: str) -> dict[str, Any]:
    """The template as a dict, or AWS's ValidationException for a body that is not one."""
    try:
        doc = json.loads(body) if body.lstrip().startswith("{") else yaml.load(body, Loader=_Loader)
    except (ValueError, yaml.YAMLError):
        raise e.error("ValidationException", "Template body is invalid") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise e.error("ValidationException", "Template body is invalid")
    return doc


def _resolve(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in params:
            return params[value["Ref"]]
        return {k: _resolve(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, params) for v in value]
    return value


def pack_rules(template: dict[str, Any], inputs: list[dict[str, str]] | None) -> list[dict[str, Any]]:
    """The ConfigRule of each `AWS::Config::ConfigRule` resource, in the API's shape (its name the
    resource's `ConfigRuleName`, else its logical id; `InputParameters` as JSON text)."""
    params = {name: str(spec.get("Default")) for name, spec in (template.get("Parameters") or {}).items()
              if isinstance(spec, dict) and spec.get("Default") is not None}
    params.update({p["ParameterName"]: p["ParameterValue"] for p in inputs or []})
    out = []
    for logical_id, resource in template["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") != RULE_TYPE:
            continue
        props = _resolve(resource.get("Properties") or {}, params)
        if not isinstance(props.get("Source"), dict):
            raise e.error("ValidationException", f"Template body is invalid: resource {logical_id} has no Source")
        rule: dict[str, Any] = {"ConfigRuleName": str(props.get("ConfigRuleName") or logical_id),
                                "Source": props["Source"]}
        for key in ("Description", "Scope", "MaximumExecutionFrequency"):
            if props.get(key):
                rule[key] = props[key]
        if props.get("InputParameters"):
            parameters = props["InputParameters"]
            rule["InputParameters"] = parameters if isinstance(parameters, str) else json.dumps(parameters)
        out.append(rule)
    return out
