"""Sample events for every trigger Lambda has, as data: one JSON file per source in this package.

A file holds the source's `description`, the AWS page its shapes come from (`doc`), the `defaults` of
its placeholders, and its `kinds` (the first is the default), each an `event` template. Templates are
rendered in two steps:

- **Placeholders**: `${name}` inside any string is replaced by the value given for `name` (the
  command's `--bucket`, `--key`, `--set name=value`...) or the file's default; `${name|url}` is the
  value URL-encoded as S3 writes object keys into its events (`quote_plus`), `${name|json}` the value
  as a JSON string literal's content.
- **Encodings**, where AWS sends a payload encoded: an object with one key `$base64` (a string,
  base64-encoded: Kinesis and Firehose `data`), `$base64_json` (a value, as JSON then base64),
  `$gzip_base64_json` (a value, as JSON, gzipped, base64: CloudWatch Logs' `awslogs.data`) or `$json`
  (a value as a JSON string: AWS Config's `invokingEvent`), or `$int` (a string holding a number, as a
  number: S3's object `size`), or `$md5` (the hex MD5 of a string: SQS's `md5OfBody`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote_plus

#: Values every template may use.
COMMON_DEFAULTS = {"region": "us-east-1", "account": "123456789012"}

_PLACEHOLDER = re.compile(r"\$\{([a-z_]+)(?:\|(url|json))?\}")
_ENCODINGS = ("$base64", "$base64_json", "$gzip_base64_json", "$json", "$int", "$md5")


class UnknownEvent(LookupError):
    """A source or kind that has no template; the message lists what there is."""


@cache
def _catalog() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__)
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            found[entry.name[:-5]] = json.loads(entry.read_text(encoding="utf-8"))
    return dict(sorted(found.items()))


def sources() -> dict[str, dict[str, Any]]:
    """Every source's file, by source name (sorted)."""
    return _catalog()


def source(name: str) -> dict[str, Any]:
    catalog = _catalog()
    if name not in catalog:
        raise UnknownEvent(f"no sample events for {name!r}; sources: {', '.join(catalog)}")
    return catalog[name]


def kind_names(name: str) -> list[str]:
    return list(source(name)["kinds"])


def placeholders(name: str) -> dict[str, str]:
    """The placeholders a source's templates use, with their defaults."""
    return {**COMMON_DEFAULTS, **source(name).get("defaults", {})}


def render(name: str, kind: str | None = None, values: dict[str, str] | None = None) -> Any:
    """The event of `kind` (default: the source's first) with `values` put into its placeholders."""
    spec = source(name)
    kinds = spec["kinds"]
    kind = kind or next(iter(kinds))
    if kind not in kinds:
        raise UnknownEvent(f"{name} has no kind {kind!r}; kinds: {', '.join(kinds)}")
    merged = {**placeholders(name), **{k: v for k, v in (values or {}).items() if v is not None}}
    return _encode(_fill(kinds[kind]["event"], merged))  # _fill builds a new document: the cached template stays as it is


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: _substitute(match, values), value)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {_fill(key, values): _fill(item, values) for key, item in value.items()}
    return value


def _substitute(match: re.Match[str], values: dict[str, str]) -> str:
    name, how = match.group(1), match.group(2)
    if name not in values:
        raise KeyError(f"template placeholder ${{{name}}} has no value")
    text = str(values[name])
    if how == "url":
        return quote_plus(text, safe="/")
    if how == "json":
        return json.dumps(text)[1:-1]
    return text


def _encode(value: Any) -> Any:
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and next(iter(value)) in _ENCODINGS:
        how, inner = next(iter(value.items()))
        inner = _encode(inner)
        if how == "$md5":
            return hashlib.md5(str(inner).encode()).hexdigest()
        if how == "$int":
            return int(inner)
        if how == "$base64":
            return base64.b64encode(str(inner).encode()).decode()
        text = json.dumps(inner, separators=(",", ":"))
        if how == "$json":
            return text
        if how == "$base64_json":
            return base64.b64encode(text.encode()).decode()
        return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()
    return {key: _encode(item) for key, item in value.items()}
