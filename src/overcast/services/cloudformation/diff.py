"""What a change set shows: which resources would be added, modified (and whether replaced) or
removed, worked out from the templates with parameters substituted and references to resources
kept symbolic (their values are only known when the change set runs)."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.intrinsics import Scope, pseudo_parameters, resolve
from overcast.services.cloudformation.plan import Plan, base_scope
from overcast.services.cloudformation.resources import provider_for


def _symbolic(plan: Plan, account: str, region: str, stack_name: str, stack_id: str,
              imports: Any) -> Scope:
    scope = base_scope(plan.template, plan.values, pseudo_parameters(account, region, stack_name, stack_id), region)
    scope.conditions = plan.conditions
    scope.resources = frozenset(plan.order)
    scope.refs = lambda name: f"{{{{ref:{name}}}}}"
    scope.attribute = lambda name, attr: f"{{{{att:{name}.{attr}}}}}"
    scope.imports = imports
    return scope


def _static(plan: Plan, name: str, scope: Scope) -> dict[str, Any]:
    try:
        return resolve(plan.template["Resources"][name].get("Properties") or {}, scope)  # type: ignore[no-any-return]
    except Exception:  # unknown until it runs: compare the raw definition instead
        return plan.template["Resources"][name].get("Properties") or {}


def changes(old: Plan | None, rows: dict[str, dict[str, Any]], new: Plan, *, account: str, region: str,
            stack_name: str, stack_id: str, imports: Any) -> list[dict[str, Any]]:
    """The change set's `Changes`, in the new template's order, removals last."""
    out: list[dict[str, Any]] = []
    new_scope = _symbolic(new, account, region, stack_name, stack_id, imports)
    old_scope = _symbolic(old, account, region, stack_name, stack_id, imports) if old is not None else None
    replaced: set[str] = set()
    for name in new.order:
        kind = new.template["Resources"][name]["Type"]
        row = rows.get(name)
        if old is None or old_scope is None or name not in old.order or row is None \
                or not row.get("PhysicalResourceId"):
            out.append(_change("Add", name, kind))
            continue
        before, after = _static(old, name, old_scope), _static(new, name, new_scope)
        touched = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        dynamic = sorted(k for k in after if any(f"ref:{r}}}" in str(after[k]) or f"att:{r}." in str(after[k])
                                                 for r in replaced))
        if not touched and not dynamic:
            continue
        provider = provider_for(kind)
        replacement = "False"
        if provider is not None and touched and provider.requires_replacement(before, after):
            replacement = "True"
        elif dynamic:
            replacement = "Conditional"
        if replacement == "True":
            replaced.add(name)
        details = [_detail(k, provider, "Static", "DirectModification") for k in touched]
        details += [_detail(k, provider, "Dynamic", "ResourceReference") for k in dynamic if k not in touched]
        out.append(_change("Modify", name, kind, row["PhysicalResourceId"], replacement, details))
    for name in (old.order if old is not None else []):
        if name not in new.order and name in rows:
            out.append(_change("Remove", name, rows[name]["ResourceType"], rows[name].get("PhysicalResourceId")))
    return out


def _detail(prop: str, provider: Any, evaluation: str, source: str) -> dict[str, Any]:
    always = provider is not None and (provider.immutable or prop in provider.replace)
    return {"Target": {"Attribute": "Properties", "Name": prop,
                       "RequiresRecreation": "Always" if always else "Never"},
            "Evaluation": evaluation, "ChangeSource": source}


def _change(action: str, name: str, kind: str, physical: str | None = None, replacement: str | None = None,
            details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"Action": action, "LogicalResourceId": name, "ResourceType": kind}
    if physical:
        change["PhysicalResourceId"] = physical
    if action == "Modify":
        change["Replacement"] = replacement
        change["Scope"] = ["Properties"]
        change["Details"] = details or []
    else:
        change["Scope"] = []
        change["Details"] = []
    return {"Type": "Resource", "ResourceChange": change}
