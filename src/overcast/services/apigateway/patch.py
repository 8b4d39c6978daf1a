"""API Gateway's `patchOperations` (a JSON-Patch dialect): `op` add/replace/remove/copy/move on a
`path` like `/name`, `/variables/key` or `/binaryMediaTypes/image~1png` (`~1` is `/`, `~0` is `~`).
Values arrive as strings; they are coerced to the type the model gives the member."""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from overcast.services.apigateway.errors import BadRequest

#: Stage method settings: `/{resourcePath}/{method}/{group}/{setting}` → MethodSetting member.
_METHOD_SETTINGS = {
    "metrics/enabled": "metricsEnabled", "logging/loglevel": "loggingLevel",
    "logging/datatrace": "dataTraceEnabled", "throttling/burstlimit": "throttlingBurstLimit",
    "throttling/ratelimit": "throttlingRateLimit", "caching/enabled": "cachingEnabled",
    "caching/ttlinseconds": "cacheTtlInSeconds", "caching/dataencrypted": "cacheDataEncrypted",
    "caching/requireauthorizationforcachecontrol": "requireAuthorizationForCacheControl",
    "caching/unauthorizedcachecontrolheaderstrategy": "unauthorizedCacheControlHeaderStrategy",
}


def _segments(path: str) -> list[str]:
    if not path or not path.startswith("/"):
        raise BadRequest(f"Invalid patch path {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _coerce(value: Any, shape: Shape | None) -> Any:
    if shape is None or not isinstance(value, str):
        return value
    kind = shape.type_name
    try:
        if kind == "boolean":
            return value.lower() == "true"
        if kind in ("integer", "long"):
            return int(value)
        if kind in ("double", "float"):
            return float(value)
    except ValueError:
        raise BadRequest(f"Invalid value {value!r} for a {kind}") from None
    return value


def _member(shape: Shape | None, name: str) -> Shape | None:
    if shape is None:
        return None
    if shape.type_name == "structure":
        return shape.members.get(name)
    if shape.type_name == "map":
        return shape.value
    if shape.type_name == "list":
        return shape.member
    return None


def apply_patch(doc: dict[str, Any], operations: list[dict[str, Any]] | None, shape: Shape | None,
                read_only: frozenset[str] = frozenset({"id", "createdDate"})) -> dict[str, Any]:
    """Apply `operations` to `doc` in place (and return it)."""
    for operation in operations or []:
        op = (operation.get("op") or "replace").lower()
        parts = _segments(operation.get("path", ""))
        if parts[0] in read_only:
            raise BadRequest(f"Invalid patch path {operation.get('path')}")
        if shape is not None and shape.name == "Stage" and len(parts) >= 3 and parts[0] not in shape.members:
            _method_setting(doc, parts, op, operation.get("value"))
            continue
        if op in ("copy", "move"):
            source = _segments(operation.get("from", ""))
            value = _get(doc, source)
            if op == "move":
                _remove(doc, source)
            _set(doc, parts, value, shape)
        elif op == "remove":
            _remove(doc, parts)
        elif op in ("add", "replace"):
            _set(doc, parts, operation.get("value"), shape, add=op == "add")
        else:
            raise BadRequest(f"Invalid patch operation specified. Must be one of: [add, remove, move, test, "
                             f"replace, copy], got {op}")
    return doc


def _get(doc: dict[str, Any], parts: list[str]) -> Any:
    node: Any = doc
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            raise BadRequest(f"Invalid patch path /{'/'.join(parts)}")
        node = node[part]
    return node


def _set(doc: dict[str, Any], parts: list[str], value: Any, shape: Shape | None, add: bool = False) -> None:
    node: Any = doc
    member = shape
    for index, part in enumerate(parts[:-1]):
        member = _member(member, part)
        nxt = node.get(part) if isinstance(node, dict) else None
        if nxt is None:
            # a list member addressed by value: `/binaryMediaTypes/image~1png`
            nxt = [] if member is not None and member.type_name == "list" else {}
            node[part] = nxt
        if isinstance(nxt, list) and index == len(parts) - 2:
            if parts[-1] not in nxt:
                nxt.append(parts[-1])
            return
        node = nxt
    last = parts[-1]
    target = _member(member, last)
    if isinstance(node.get(last), list) and add and value is not None:
        if value not in node[last]:
            node[last].append(value)
        return
    if target is not None and target.type_name == "list" and isinstance(value, str):
        node[last] = [value]
        return
    node[last] = _coerce(value, target)


def _remove(doc: dict[str, Any], parts: list[str]) -> None:
    node: Any = doc
    for index, part in enumerate(parts[:-1]):
        nxt = node.get(part) if isinstance(node, dict) else None
        if isinstance(nxt, list) and index == len(parts) - 2:
            if parts[-1] in nxt:
                nxt.remove(parts[-1])
            return
        if nxt is None:
            return
        node = nxt
    if isinstance(node, dict):
        node.pop(parts[-1], None)


def _method_setting(doc: dict[str, Any], parts: list[str], op: str, value: Any) -> None:
    key = "/".join(parts[:-2]).lstrip("/")
    setting = _METHOD_SETTINGS.get("/".join(parts[-2:]).lower())
    if setting is None:
        raise BadRequest(f"Invalid method setting path: /{'/'.join(parts)}")
    settings = doc.setdefault("methodSettings", {}).setdefault(key, {})
    if op == "remove":
        settings.pop(setting, None)
        return
    if setting in ("loggingLevel", "unauthorizedCacheControlHeaderStrategy"):
        settings[setting] = value
    elif setting in ("throttlingBurstLimit", "cacheTtlInSeconds"):
        settings[setting] = int(value)
    elif setting == "throttlingRateLimit":
        settings[setting] = float(value)
    else:
        settings[setting] = str(value).lower() == "true"
