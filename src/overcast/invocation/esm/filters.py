"""FilterCriteria: event patterns (EventBridge's language) applied to each record (docs/aws-behaviour.md#batching-and-filtering).

What a pattern sees per source: SQS — the record with `body` parsed when it is JSON; Kinesis — the
`kinesis` part of the record with `data` decoded and parsed; DynamoDB — the record. A pattern on the
data field that expects JSON does not match data that is not JSON (the record is dropped)."""

from __future__ import annotations

import json
from typing import Any


class FilterError(ValueError):
    """An invalid filter pattern."""


class Filters:
    def __init__(self, patterns: list[Any]) -> None:
        self._patterns = patterns

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def matches(self, document: dict[str, Any]) -> bool:
        """A record passes when any pattern matches (patterns are OR-ed)."""
        return not self._patterns or any(p.matches(document) for p in self._patterns)


def compile_filters(kind: str, criteria: dict[str, Any] | None) -> Filters:
    filters = (criteria or {}).get("Filters") or []
    if not filters:
        return Filters([])
    try:
        from overcast.patterns import compile_pattern  # type: ignore[attr-defined]
    except ImportError:
        raise FilterError("filter patterns need overcast.patterns") from None
    compiled = []
    for entry in filters:
        text = entry.get("Pattern")
        if not text:
            raise FilterError("Pattern is required")
        if len(text) > 4096:
            raise FilterError("Pattern exceeds 4096 characters")
        try:
            parsed = json.loads(text)
        except ValueError:
            raise FilterError(f"Pattern {text} is not valid JSON") from None
        try:
            compiled.append(compile_pattern(parsed))
        except Exception as exc:  # the pattern compiler's own validation error
            raise FilterError(str(exc)) from None
    return Filters(compiled)


def parse_json_text(text: str | bytes) -> Any:
    """The JSON value of `text`, or the text itself when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, UnicodeDecodeError):
        return text.decode("utf-8", "replace") if isinstance(text, bytes) else text
