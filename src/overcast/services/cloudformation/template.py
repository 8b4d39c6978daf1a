"""Reading templates: JSON, or YAML with CloudFormation's short-form tags (`!Ref`, `!GetAtt A.B`,
`!Sub`...), and the structural checks AWS makes before anything is created."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from overcast import documents
from overcast.services.cloudformation.errors import template_error

SECTIONS = frozenset({
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
    "Conditions", "Transform", "Resources", "Outputs", "Hooks",
})

#: short-form tag → the long form's key (`!Ref X` is `{"Ref": "X"}`, the rest are `Fn::*`)
_TAGS = {
    "Ref": "Ref", "Condition": "Condition", "GetAtt": "Fn::GetAtt", "Sub": "Fn::Sub", "Join": "Fn::Join",
    "Select": "Fn::Select", "Split": "Fn::Split", "If": "Fn::If", "Equals": "Fn::Equals", "And": "Fn::And",
    "Or": "Fn::Or", "Not": "Fn::Not", "FindInMap": "Fn::FindInMap", "GetAZs": "Fn::GetAZs",
    "Base64": "Fn::Base64", "Cidr": "Fn::Cidr", "ImportValue": "Fn::ImportValue", "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString", "Transform": "Fn::Transform", "Contains": "Fn::Contains",
    "EachMemberEquals": "Fn::EachMemberEquals", "EachMemberIn": "Fn::EachMemberIn",
    "RefAll": "Fn::RefAll", "ValueOf": "Fn::ValueOf", "ValueOfAll": "Fn::ValueOfAll",
}


class _Loader(yaml.SafeLoader):
    """YAML 1.1 as CloudFormation reads it: dates stay strings, short-form tags become long forms."""


# CloudFormation keeps `2010-09-09` a string; PyYAML would make it a date.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def _construct(key: str):  # type: ignore[no-untyped-def]
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if key == "Fn::GetAtt" and isinstance(value, str):
                # `!GetAtt Resource.Attribute`: the first dot separates them (attributes may hold dots)
                logical, _, attribute = value.partition(".")
                value = [logical, attribute]
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {key: value}

    return construct


for _tag, _key in _TAGS.items():
    _Loader.add_constructor(f"!{_tag}", _construct(_key))


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if key in mapping:
            mark = key_node.start_mark
            raise template_error(f"YAML not well-formed. Duplicate key {key!r} (line {mark.line + 1}, "
                                 f"column {mark.column + 1})")
        mapping[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def parse(body: str) -> dict[str, Any]:
    """A template's text as a dict; `Template format error` when it is neither JSON nor YAML."""
    text = body.strip()
    if text.startswith("{"):
        try:
            document = documents.loads(text)
        except documents.DocumentError as exc:
            raise template_error(f"JSON not well-formed. {exc.msg}") from None
        except json.JSONDecodeError as exc:
            raise template_error(f"JSON not well-formed. (line {exc.lineno}, column {exc.colno})") from None
    else:
        try:
            document = documents.load_yaml(text, _Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
            raise template_error(f"YAML not well-formed.{where}") from None
        except yaml.YAMLError:
            raise template_error("YAML not well-formed.") from None
    if not isinstance(document, dict):
        raise template_error("unsupported structure.")
    return document


def check(template: dict[str, Any]) -> None:
    """The checks AWS makes on a template's shape before it resolves anything."""
    unknown = sorted(k for k in template if k not in SECTIONS)
    if unknown:
        raise template_error(f"Invalid template property or properties [{', '.join(unknown)}]")
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise template_error("At least one Resources member must be defined.")
    for section in ("Parameters", "Mappings", "Conditions", "Outputs"):
        value = template.get(section)
        if value is not None and not isinstance(value, dict):
            raise template_error(f"{section} must be an object")
    for logical_id, resource in resources.items():
        _check_resource(logical_id, resource)
    for name, output in (template.get("Outputs") or {}).items():
        if not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise template_error(f"Outputs name '{name}' is non alphanumeric.")
        if not isinstance(output, dict) or "Value" not in output:
            raise template_error("Every Outputs member must contain a Value object")


def _check_resource(logical_id: str, resource: Any) -> None:
    if not re.fullmatch(r"[A-Za-z0-9]+", logical_id):
        raise template_error(f"Resource name {logical_id} is non alphanumeric.")
    if not isinstance(resource, dict):
        raise template_error(f"[/Resources/{logical_id}] resource definition is malformed")
    kind = resource.get("Type")
    if not isinstance(kind, str) or not kind:
        raise template_error(f"[/Resources/{logical_id}] Every Resources object must contain a Type member.")
    props = resource.get("Properties")
    if props is not None and not isinstance(props, dict):
        raise template_error(f"[/Resources/{logical_id}/Properties] properties must be an object")


def transforms(template: dict[str, Any]) -> list[str]:
    value = template.get("Transform")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [t if isinstance(t, str) else t.get("Name", "") for t in items]


def dump(template: dict[str, Any]) -> str:
    return json.dumps(template, indent=2)
