"""Reading JSON and YAML documents that come from callers, within bounds.

A request body, a policy, a template or an API definition may be nested thousands of levels deep
or hold a lone UTF-16 surrogate (`"\\ud800"`): Python's parsers accept the second and hit the
interpreter's recursion limit on the first, and either breaks whatever handles the value next
(storage, the error serializer). AWS refuses both with the service's 400. Everything here raises
`json.JSONDecodeError` (a `ValueError`) for JSON, `yaml.YAMLError` for YAML, so a caller's existing
"malformed document" handling answers them.

The depth limit is ours: no AWS document needs more (DynamoDB nests attribute values at most 32
levels deep, i.e. 64 JSON levels; CloudFormation, IAM and API Gateway documents far fewer), and it
keeps every recursive walk of a value far below the interpreter's limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: The deepest nesting of arrays and objects accepted in a caller's document.
MAX_DEPTH = 128

#: a JSON `\uXXXX` escape of a UTF-16 surrogate: a lone one survives `json.loads`
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_ESCAPE_B = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class DocumentError(json.JSONDecodeError):
    """A document that parses but may not be accepted: too deep, or not valid Unicode."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)


def loads(text: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH, **json_options: Any) -> Any:
    """`json.loads` (given `json_options` such as `parse_float`), refusing documents nested deeper
    than `max_depth` and strings that are not valid Unicode (lone surrogates), with a `DocumentError`."""
    try:
        value = json.loads(text, **json_options)
    except RecursionError:
        raise DocumentError(f"The document is nested more than {max_depth} levels deep") from None
    pattern = _SURROGATE_ESCAPE_B if isinstance(text, bytes | bytearray) else _SURROGATE_ESCAPE
    check(value, max_depth=max_depth, strings=pattern.search(text) is not None,  # type: ignore[arg-type]
          openers=_openers(text))
    return value


def _openers(text: str | bytes | bytearray) -> int:
    if isinstance(text, str):
        return text.count("{") + text.count("[")
    return text.count(b"{") + text.count(b"[")


def check(value: Any, *, max_depth: int = MAX_DEPTH, strings: bool = True, openers: int | None = None) -> None:
    """Raise `DocumentError` when a parsed value nests deeper than `max_depth` or (with `strings`)
    holds a string that is not valid Unicode. `openers` (the count of `[` and `{` in the text, an
    upper bound of the depth) skips the walk when it cannot find anything."""
    if not strings and openers is not None and openers <= max_depth:
        return
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= max_depth:
                raise DocumentError(f"The document is nested more than {max_depth} levels deep")
            for key, member in item.items():
                if strings and isinstance(key, str):
                    _check_text(key)
                stack.append((member, depth + 1))
        elif isinstance(item, list):
            if depth >= max_depth:
                raise DocumentError(f"The document is nested more than {max_depth} levels deep")
            stack.extend((member, depth + 1) for member in item)
        elif strings and isinstance(item, str):
            _check_text(item)


def valid_text(text: str) -> bool:
    """Whether a string is valid Unicode (no lone surrogate), i.e. encodable as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_text(text: str) -> None:
    if not valid_text(text):
        raise DocumentError("The document holds a string that is not valid Unicode (a lone surrogate)")


def load_yaml(text: str, loader: Any = None, *, max_depth: int = MAX_DEPTH) -> Any:
    """`yaml.load` with `loader` (PyYAML's SafeLoader by default), refusing documents nested deeper
    than `max_depth` with a `yaml.YAMLError` instead of exhausting the recursion limit."""
    import yaml

    try:
        value = yaml.load(text, Loader=loader or yaml.SafeLoader)
    except RecursionError:
        raise yaml.YAMLError(f"The document is nested more than {max_depth} levels deep") from None
    try:
        check(value, max_depth=max_depth)
    except DocumentError as exc:
        raise yaml.YAMLError(exc.msg) from None
    return value
