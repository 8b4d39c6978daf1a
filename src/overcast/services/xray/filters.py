"""X-Ray filter expressions for GetTraceSummaries (and groups): parse once with `lark`
(`filter_expression.lark`), then test traces.

What is understood (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-filters.html):

- keywords `ok`, `error`, `fault`, `throttle`, `partial`, `inferred`;
- comparisons on `responsetime`, `duration`, `http.status`, `http.url`, `http.method`, `http.useragent`,
  `http.clientip`, `user`, `annotation.KEY` / `annotation[KEY]` with `= != < <= > >=` and, for strings,
  `CONTAINS`, `BEGINSWITH`, `ENDSWITH`;
- `service("name")` (a segment of that name), `service(id(name: "n", type: "t"))`, `id(...)`, and
  `edge("a", "b")` (a call from a to b), each with an optional `{ sub-filter }` that judges the
  keywords and `responsetime` on that service's (or edge's callee's) segments only;
- `AND`, `OR`, `NOT` (`&&`, `||`, `!`) and parentheses.

Anything else is AWS's `InvalidRequestException` ("Invalid filter expression").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from overcast.services.xray.models import Trace
from overcast.services.xray.summary import documents


class FilterError(ValueError):
    """The expression does not parse or uses what is not supported."""


@dataclass
class View:
    """What an expression looks at: a trace, and the segments keywords judge (all, or one service's)."""

    trace: Trace
    scope: list[dict[str, Any]]

    @property
    def docs(self) -> list[dict[str, Any]]:
        return [d for seg in self.scope for d in _walk(seg)]


Predicate = Callable[[View], bool]


def _walk(doc: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield doc
    for sub in doc.get("subsegments") or ():
        if isinstance(sub, dict):
            yield from _walk(sub)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(Path(__file__).with_name("filter_expression.lark").read_text(), parser="earley")


@lru_cache(maxsize=256)
def compile_filter(text: str | None) -> Callable[[Trace], bool]:
    """A predicate over traces for `text` (None or blank: every trace)."""
    if not (text or "").strip():
        return lambda trace: True
    try:
        tree = _parser().parse(text or "")
        predicate: Predicate = _Build().transform(tree)
    except (LarkError, FilterError) as exc:
        raise FilterError(str(exc).splitlines()[0] if str(exc) else "Invalid filter expression") from None
    if not callable(predicate):
        raise FilterError("Invalid filter expression")
    return lambda trace: predicate(View(trace, trace.segments))


def _flag(name: str) -> Predicate:
    name = name.lower()
    if name == "ok":
        return lambda v: not any(d.get("error") or d.get("fault") or d.get("throttle") for d in v.docs)
    if name == "partial":
        return lambda v: any(d.get("in_progress") for d in v.scope)
    if name == "inferred":
        return lambda v: any(d.get("namespace") in ("aws", "remote") for d in v.docs)
    return lambda v: any(d.get(name) for d in v.docs)


def _root(v: View) -> dict[str, Any]:
    return v.trace.root() if v.scope is v.trace.segments else min(v.scope, key=lambda s: s["start_time"])


def _elapsed(doc: dict[str, Any]) -> float:
    return float(doc.get("end_time") or doc["start_time"]) - float(doc["start_time"])


def _field_values(field: str, v: View) -> list[Any]:
    lower = field.lower()
    if lower == "responsetime":
        return [_elapsed(_root(v))]
    if lower == "duration":
        return [v.trace.duration] if v.scope is v.trace.segments else [_elapsed(s) for s in v.scope]
    if lower.startswith("http."):
        http = _root(v).get("http") or {}
        part = lower[5:]
        if part == "status":
            return [(http.get("response") or {}).get("status")]
        names = {"url": "url", "method": "method", "useragent": "user_agent", "clientip": "client_ip"}
        if part not in names:
            raise FilterError(f"Unknown field {field}")
        return [(http.get("request") or {}).get(names[part])]
    if lower == "user":
        return [d.get("user") for d in v.docs]
    key = _annotation_key(field)
    if key is not None:
        return [(d.get("annotations") or {}).get(key) for d in v.docs if key in (d.get("annotations") or {})]
    raise FilterError(f"Unknown field {field}")


_FIELDS = {"responsetime", "duration", "user", "http.status", "http.url", "http.method", "http.useragent",
           "http.clientip"}


def _check_field(field: str) -> None:
    """Unknown fields are refused when the expression is compiled."""
    if field.lower() not in _FIELDS and _annotation_key(field) is None:
        raise FilterError(f"Unknown field {field}")


def _annotation_key(field: str) -> str | None:
    if field.lower().startswith("annotation."):
        return field[len("annotation."):]
    if field.lower().startswith("annotation[") and field.endswith("]"):
        return field[len("annotation["):-1].strip("\"'")
    return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or isinstance(left, (dict, list)):
        return False
    op = op.lower()
    if isinstance(right, bool) or isinstance(left, bool):
        return op in ("=", "!=") and ((left == right) == (op == "="))
    if isinstance(right, (int, float)):
        try:
            number = float(left)
        except (TypeError, ValueError):
            return False
        return {"=": number == right, "!=": number != right, "<": number < right, "<=": number <= right,
                ">": number > right, ">=": number >= right}.get(op, False)
    text, other = str(left), str(right)
    return {"=": text == other, "!=": text != other, "contains": other in text, "beginswith": text.startswith(other),
            "endswith": text.endswith(other), "<": text < other, "<=": text <= other, ">": text > other,
            ">=": text >= other}.get(op, False)


def _service_match(spec: Any) -> Callable[[dict[str, Any]], bool]:
    """A segment matcher for `service("name")` or `id(name: ..., type: ...)`."""
    if isinstance(spec, dict):
        return lambda s: (("name" not in spec or s.get("name") == spec["name"])
                          and ("type" not in spec or (s.get("origin") or "") == spec["type"]))
    return lambda s: s.get("name") == spec


class _Build(Transformer[Token, Any]):
    def string(self, items: list[Token]) -> str:
        return str(json.loads(items[0]))

    def number(self, items: list[Token]) -> float:
        return float(items[0])

    def true(self, _: list[Token]) -> bool:
        return True

    def false(self, _: list[Token]) -> bool:
        return False

    def named(self, items: list[Any]) -> tuple[str, Any]:
        return (str(items[0]).lower(), items[1])

    def flag(self, items: list[Token]) -> Predicate:
        return _flag(str(items[0]))

    def negate(self, items: list[Predicate]) -> Predicate:
        inner = items[0]
        return lambda v: not inner(v)

    def and_expr(self, items: list[Predicate]) -> Predicate:
        return lambda v: all(p(v) for p in items)

    def or_expr(self, items: list[Predicate]) -> Predicate:
        return lambda v: any(p(v) for p in items)

    def comparison(self, items: list[Any]) -> Predicate:
        field, op, value = str(items[0]), str(items[1]), items[2]
        if field.lower() in ("responsetime", "duration", "http.status") and not isinstance(value, float):
            raise FilterError(f"{field} is compared with a number")
        _check_field(field)
        negative = op == "!="
        if negative:
            return lambda v: all(_compare(op, left, value) for left in _field_values(field, v))
        return lambda v: any(_compare(op, left, value) for left in _field_values(field, v))

    def function(self, items: list[Any]) -> Any:
        name = str(items[0]).lower()
        args = [a for a in items[1:-1] if a is not None]
        sub: Predicate | None = items[-1] if len(items) > 1 else None
        if name == "id":
            return dict(a for a in args if isinstance(a, tuple))
        if name == "service":
            matcher = _service_match(args[0]) if args else (lambda s: True)
            return _scoped(lambda v: [s for s in v.trace.segments if matcher(s)], sub)
        if name == "edge" and len(args) == 2:
            return _scoped(_edge_segments(_service_match(args[0]), _service_match(args[1])), sub)
        raise FilterError(f"Unsupported function {name}()")


def _scoped(select: Callable[[View], list[dict[str, Any]]], sub: Predicate | None) -> Predicate:
    def test(v: View) -> bool:
        chosen = select(v)
        return bool(chosen) and (sub is None or sub(View(v.trace, chosen)))
    return test


def _edge_segments(caller: Callable[[dict[str, Any]], bool],
                   callee: Callable[[dict[str, Any]], bool]) -> Callable[[View], list[dict[str, Any]]]:
    def select(v: View) -> list[dict[str, Any]]:
        owner = {d["id"]: seg for seg in v.trace.segments for d in _walk(seg) if "id" in d}
        return [s for s in v.trace.segments if callee(s) and caller(owner.get(s.get("parent_id") or "", {}))]
    return select


def matches(text: str | None, traces: Iterable[Trace]) -> list[Trace]:
    """The traces `text` selects."""
    predicate = compile_filter(text)
    return [t for t in traces if predicate(t)]


__all__ = ["FilterError", "compile_filter", "documents", "matches"]
