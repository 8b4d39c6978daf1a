"""The `changedProperties` of a configuration item change notification's `configurationItemDiff`,
as AWS Config writes them
(https://docs.aws.amazon.com/config/latest/developerguide/example-sns-notification.html): one entry
per changed leaf, named by its path (`Configuration.versioningConfiguration.status`, list entries
by index `Configuration.layers.0`), with `previousValue`, `updatedValue` and `changeType`
(`CREATE`, `UPDATE`, `DELETE`); supplementary configuration per top-level key
(`SupplementaryConfiguration.BucketVersioningConfiguration`), tags per key (`Tags.team`). A new
resource is one `Configuration` entry (`CREATE`, no previous value), a deleted one the reverse."""

from __future__ import annotations

from typing import Any


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}", out)
    elif isinstance(value, list) and value:
        for index, inner in enumerate(value):
            _flatten(inner, f"{prefix}.{index}", out)
    else:
        out[prefix] = value


def _entry(previous: Any, updated: Any) -> dict[str, Any]:
    change = "CREATE" if previous is None else "DELETE" if updated is None else "UPDATE"
    return {"previousValue": previous, "updatedValue": updated, "changeType": change}


def _compare(before: dict[str, Any], after: dict[str, Any], out: dict[str, Any]) -> None:
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old != new:
            out[path] = _entry(old, new)


def changed_properties(previous: dict[str, Any] | None, item: dict[str, Any], change_type: str) -> dict[str, Any]:
    """The changed properties between two configuration items of one resource."""
    if change_type == "CREATE" or previous is None:
        return {"Configuration": _entry(None, item.get("configuration"))}
    if change_type == "DELETE":
        return {"Configuration": _entry(previous.get("configuration"), None)}
    out: dict[str, Any] = {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(previous.get("configuration") or {}, "Configuration", before)
    _flatten(item.get("configuration") or {}, "Configuration", after)
    _compare(before, after, out)
    old_sup, new_sup = previous.get("supplementaryConfiguration") or {}, item.get("supplementaryConfiguration") or {}
    _compare({f"SupplementaryConfiguration.{k}": v for k, v in old_sup.items()},
             {f"SupplementaryConfiguration.{k}": v for k, v in new_sup.items()}, out)
    _compare({f"Tags.{k}": v for k, v in (previous.get("tags") or {}).items()},
             {f"Tags.{k}": v for k, v in (item.get("tags") or {}).items()}, out)
    return out
