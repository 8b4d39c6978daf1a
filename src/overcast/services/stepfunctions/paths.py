"""The data flow of the Amazon States Language's JSONPath mode
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html)):
InputPath, Parameters, ResultSelector, ResultPath and OutputPath, paths into the context object
(`$$`), and payload templates whose `"key.$"` fields take a path or an intrinsic function.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from jsonpath_ng.exceptions import JsonPathParserError
from jsonpath_ng.ext import parse as jsonpath

from overcast.services.stepfunctions.intrinsics import evaluate as intrinsic


class StatesError(Exception):
    """A runtime error of the States Language: `error` is AWS's name (`States.Runtime`...)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error, self.cause = error, cause


_cache: dict[str, Any] = {}


def _compiled(path: str) -> Any:
    if path not in _cache:
        try:
            _cache[path] = jsonpath(path)
        except (JsonPathParserError, Exception) as exc:
            raise StatesError("States.Runtime", f"Invalid path '{path}': {exc}") from None
    return _cache[path]


def is_definite(path: str) -> bool:
    return not any(token in path for token in ("..", "*", "?(", ":", ","))


#: the context key under which the interpreter passes the variables a path may read (`$name.field`)
VARIABLES = "__variables__"
_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$", re.DOTALL)


def select(path: str, data: Any, context: dict[str, Any] | None = None, *, field: str = "InputPath") -> Any:
    """The value `path` selects in `data` (`$$...` in the context object, `$name...` in the
    variable `name`): one value for a definite path, a list for an indefinite one. AWS fails the
    execution with States.Runtime when a definite path matches nothing."""
    if path.startswith("$$"):
        data, path = {k: v for k, v in (context or {}).items() if k != VARIABLES}, path[1:]
    elif (variable := _VARIABLE.match(path)) is not None:
        name, rest = variable.groups()
        variables = (context or {}).get(VARIABLES) or {}
        if name not in variables:
            raise StatesError("States.Runtime", f"An error occurred while executing the state. The variable "
                                                f"'${name}' referenced in the field '{field}' is not defined")
        data, path = variables[name], "$" + rest
    if path == "$":
        return data
    matches = [m.value for m in _compiled(path).find(data)]
    if is_definite(path):
        if not matches:
            raise StatesError("States.Runtime",
                              f"An error occurred while executing the state. The JSONPath '{path}' specified for "
                              f"the field '{field}' could not be found in the input '{_dump(data)}'")
        return matches[0]
    return matches


def present(path: str, data: Any) -> bool:
    try:
        return bool(_compiled(path).find(data))
    except StatesError:
        return False


def _dump(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def apply_input_path(state: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
    if "InputPath" not in state:
        return data
    path = state["InputPath"]
    return {} if path is None else select(path, data, context)


def apply_output_path(state: dict[str, Any], data: Any, context: dict[str, Any]) -> Any:
    if "OutputPath" not in state:
        return data
    path = state["OutputPath"]
    return {} if path is None else select(path, data, context, field="OutputPath")


def apply_result_path(state: dict[str, Any], raw_input: Any, result: Any) -> Any:
    """ResultPath: `$` (default) replaces the input, null discards the result, a reference path
    puts it into a copy of the input."""
    if "ResultPath" not in state:
        return result
    path = state["ResultPath"]
    if path is None:
        return raw_input
    if path == "$":
        return result
    return put(copy.deepcopy(raw_input), path, result)


_SEGMENT = re.compile(r"\.([^.\[\]]+)|\['([^']*)'\]|\[(\d+)\]")


def put(data: Any, path: str, value: Any) -> Any:
    """Set a reference path (`$.a.b`, `$['a']`, `$.a[0]`) in `data`, creating objects on the way."""
    keys: list[str | int] = []
    rest = path[1:]
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise StatesError("States.Runtime", f"Invalid ResultPath '{path}'")
        name, quoted, index = match.groups()
        keys.append(int(index) if index is not None else (name if name is not None else quoted))
        rest = rest[match.end():]
    if not isinstance(data, dict):
        raise StatesError("States.Runtime",
                          f"An error occurred while executing the state. Unable to apply ResultPath '{path}' "
                          f"to input '{_dump(data)}'")
    node = data
    for key in keys[:-1]:
        if isinstance(key, int):
            node = node[key]
            continue
        if not isinstance(node.get(key), dict | list):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value
    return data


def template(value: Any, data: Any, context: dict[str, Any]) -> Any:
    """A payload template (Parameters, ResultSelector, ItemSelector): `"name.$"` fields are paths
    into the input (`$$` into the context object) or intrinsic functions."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith(".$") and isinstance(item, str):
                out[key[:-2]] = _dynamic(item, data, context)
            else:
                out[key] = template(item, data, context)
        return out
    if isinstance(value, list):
        return [template(item, data, context) for item in value]
    return value


def _dynamic(expr: str, data: Any, context: dict[str, Any]) -> Any:
    if expr.startswith("States."):
        return intrinsic(expr, lambda path: select(path, data, context, field="Parameters"))
    return select(expr, data, context, field="Parameters")
