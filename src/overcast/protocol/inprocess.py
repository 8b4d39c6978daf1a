"""An operation's input and output as JSON under the botocore model's member names, for callers that
run a hosted service's operation in process (the console's reads, Step Functions' and Scheduler's
aws-sdk targets): the input converted and checked as a request on the wire is, the output rendered
as AWS's JSON protocols send values (timestamps as epoch seconds, blobs as base64)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from overcast.protocol.base import Trusted
from overcast.protocol.json_ import check_input
from overcast.protocol.jsonvalues import from_json, to_json
from overcast.protocol.values import argument_name


def arguments(shape: Shape | None, params: dict[str, Any], opts: Any) -> dict[str, Any]:
    """The service method's keyword arguments for `params` (JSON, members by their model names);
    members the model lacks are dropped."""
    if shape is None:
        return {}
    members = shape.members
    converted = {name: from_json(members[name], value, name, opts.raw_shapes, opts.serialization_code)
                 for name, value in params.items() if name in members}
    check_input(shape, converted, opts)
    return {argument_name(name): value for name, value in converted.items()}


def output(shape: Shape, value: Any, key: Callable[[str], str] = str) -> Any:
    """An output value by its shape, a structure's members under `key(member name)` (the model's
    names by default, as boto3 returns them)."""
    if value is None:
        return None
    if isinstance(value, Trusted):
        return value.value
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type and isinstance(value, dict):
        members = shape.members
        return {key(name): output(members[name], item, key) for name, item in value.items()
                if name in members and item is not None}
    if kind == "list" and isinstance(value, list | tuple):
        return [output(shape.member, item, key) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, dict):
        return {name: output(shape.value, item, key) for name, item in value.items()}  # type: ignore[attr-defined]
    return to_json(shape, value)
