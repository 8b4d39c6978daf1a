"""From a template and parameter values to what a stack operation deploys: parameter values,
conditions, the active resources and outputs, their dependencies and an order — with every check
AWS makes before it starts (the errors CreateStack and CreateChangeSet answer synchronously)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from overcast.services.cloudformation import graph, template
from overcast.services.cloudformation.dependencies import references
from overcast.services.cloudformation.errors import (
    CfnValidationError,
    InsufficientCapabilities,
    template_error,
)
from overcast.services.cloudformation.intrinsics import (
    Scope,
    condition,
    evaluate_conditions,
    intrinsic,
    resolve,
)
from overcast.services.cloudformation.parameters import resolve_parameters

_TYPE = re.compile(r"^(AWS|Alexa|Custom|[A-Za-z0-9]+)::[A-Za-z0-9_@.-]+(::[A-Za-z0-9_@.-]+)*$")
_IAM_NAMES = {"AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
              "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName", "AWS::IAM::InstanceProfile":
              "InstanceProfileName"}


@dataclass
class Plan:
    """A template made ready to deploy. Everything here is JSON-serializable (kept with the stack)."""

    template: dict[str, Any]
    values: dict[str, Any]
    raw: dict[str, str]
    conditions: dict[str, bool]
    order: list[str]
    deps: dict[str, list[str]]
    imports: list[str] = field(default_factory=list)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return {name: self.template["Resources"][name] for name in self.order}

    def outputs(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name, output in (self.template.get("Outputs") or {}).items():
            cond = output.get("Condition") if isinstance(output, dict) else None
            if cond is None or self.conditions.get(cond):
                out[name] = output
        return out

    def dep_sets(self) -> dict[str, set[str]]:
        return {k: set(v) for k, v in self.deps.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "values": self.values, "raw": self.raw, "conditions": self.conditions,
                "order": self.order, "deps": self.deps, "imports": self.imports}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(**data)


def base_scope(tpl: dict[str, Any], values: dict[str, Any], pseudo: dict[str, Any], region: str) -> Scope:
    return Scope(parameters=values, pseudo=pseudo, mappings=tpl.get("Mappings") or {},
                 resources=frozenset(tpl.get("Resources") or {}), region=region)


def prepare(tpl: dict[str, Any], given: list[dict[str, Any]] | None, pseudo: dict[str, Any], region: str, *,
            previous: dict[str, str] | None = None, ssm: Callable[[str], str] | None = None,
            export_exists: Callable[[str], bool] | None = None,
            capabilities: list[str] | None = None) -> Plan:
    template.check(tpl)
    values, raw = resolve_parameters(tpl.get("Parameters") or {}, given, previous, ssm)
    scope = base_scope(tpl, values, pseudo, region)
    conditions = evaluate_conditions(tpl.get("Conditions") or {}, scope)
    check_rules(tpl.get("Rules") or {}, scope)
    resources = tpl["Resources"]
    active = [name for name, res in resources.items() if _active(name, res, conditions)]
    _check_types(resources, active)
    deps = {name: sorted(_dependencies(name, resources, set(active), scope)) for name in active}
    order = graph.order(active, {k: set(v) for k, v in deps.items()})
    plan = Plan(tpl, values, raw, conditions, order, deps)
    plan.imports = _imports(plan, scope, export_exists)
    if capabilities is not None:
        check_capabilities(plan, capabilities)
    return plan


def _active(name: str, resource: dict[str, Any], conditions: dict[str, bool]) -> bool:
    cond = resource.get("Condition")
    if cond is None:
        return True
    if cond not in conditions:
        raise template_error(f"Unresolved dependencies [{cond}]. Cannot reference resources in the Conditions "
                             "block of the template")
    return conditions[cond]


def _check_types(resources: dict[str, Any], active: list[str]) -> None:
    bad = sorted({resources[n]["Type"] for n in active if not _TYPE.match(str(resources[n]["Type"]))})
    if bad:
        raise template_error(f"Unrecognized resource types: [{', '.join(bad)}]")


def _dependencies(name: str, resources: dict[str, Any], active: set[str], scope: Scope) -> set[str]:
    resource = resources[name]
    found = references(resource.get("Properties") or {}, scope)
    depends = resource.get("DependsOn") or []
    explicit = {depends} if isinstance(depends, str) else set(depends)
    found = {n for n in found if n not in scope.parameters and n not in scope.pseudo}
    missing = sorted((found | explicit) - active)
    if missing:
        raise template_error(f"Unresolved resource dependencies [{', '.join(missing)}] in the Resources block of "
                             "the template")
    return found | explicit


def check_rules(rules: dict[str, Any], scope: Scope) -> None:
    """Template rules: when a rule's condition holds, each assertion must (else a ValidationError
    with the assertion's description)."""
    for name, rule in rules.items():
        if not isinstance(rule, dict):
            continue
        if "RuleCondition" in rule and not condition(rule["RuleCondition"], scope):
            continue
        for assertion in rule.get("Assertions") or []:
            if not condition(assertion.get("Assert"), scope):
                raise CfnValidationError(assertion.get("AssertDescription")
                                         or f"Template error: Assertion failed for rule {name}")


def _imports(plan: Plan, scope: Scope, exists: Callable[[str], bool] | None) -> list[str]:
    scope.conditions = plan.conditions
    names: set[str] = set()
    for name in plan.order:
        _collect_imports(plan.template["Resources"][name].get("Properties") or {}, scope, names)
    for output in plan.outputs().values():
        _collect_imports(output, scope, names)
    if exists is not None:
        for name in sorted(names):
            if not exists(name):
                raise CfnValidationError(f"No export named {name} found.")
    return sorted(names)


def _collect_imports(value: Any, scope: Scope, names: set[str]) -> None:
    fn = intrinsic(value)
    if fn is not None and fn[0] == "Fn::ImportValue":
        try:
            names.add(str(resolve(fn[1], scope)))
        except Exception:  # an import name computed from a resource: checked when it is resolved
            pass
        return
    if isinstance(value, dict):
        for item in value.values():
            _collect_imports(item, scope, names)
    elif isinstance(value, list):
        for item in value:
            _collect_imports(item, scope, names)


def check_capabilities(plan: Plan, capabilities: list[str]) -> None:
    """IAM resources need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM (InsufficientCapabilities)."""
    needed = None
    for name in plan.order:
        resource = plan.template["Resources"][name]
        kind = resource["Type"]
        if kind.startswith("AWS::IAM::"):
            named = _IAM_NAMES.get(kind) in (resource.get("Properties") or {})
            if named:
                needed = "CAPABILITY_NAMED_IAM"
                break
            needed = needed or "CAPABILITY_IAM"
    if needed is None:
        return
    have = set(capabilities)
    if needed == "CAPABILITY_NAMED_IAM" and "CAPABILITY_NAMED_IAM" not in have:
        raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_NAMED_IAM]")
    if needed == "CAPABILITY_IAM" and not have & {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}:
        raise InsufficientCapabilities("Requires capabilities : [CAPABILITY_IAM]")
