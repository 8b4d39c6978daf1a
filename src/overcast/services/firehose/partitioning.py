"""Dynamic partitioning ([AWS](https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html)):
records of one flush are split by partition keys into one S3 object per key set, the keys filling
`!{partitionKeyFromQuery:<key>}` and `!{partitionKeyFromLambda:<key>}` in the prefix.

- Query keys come from the `MetadataExtraction` processor: its `MetadataExtractionQuery` (jq, with
  the `jq` library) applied to each record's JSON must give an object of key → value.
- Lambda keys come from the transformation's answer, `metadata.partitionKeys` of each record.
- The `AppendDelimiterToRecord` processor appends a newline (or its `Delimiter`) to each record.
- The `RecordDeAggregation` processor first splits each record into the records it carries:
  concatenated JSON objects (`SubRecordType` `JSON`) or parts between a `Delimiter` (base64,
  `SubRecordType` `DELIMITED`).

A record whose keys cannot be extracted (not JSON, the query fails or gives no object) fails with
the error output type `partitioning-failed`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

import jq

from overcast.services.firehose.models import Buffered

PARTITIONING_FAILED = "partitioning-failed"


@dataclass
class Partition:
    keys: dict[str, dict[str, str]]
    records: list[tuple[Buffered, bytes]] = field(default_factory=list)


def processor_parameters(dest: dict[str, Any], kind: str) -> dict[str, str] | None:
    """The parameters of the destination's enabled processor of type `kind`, or None."""
    processing = dest.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        return None
    for processor in processing.get("Processors") or []:
        if processor.get("Type") == kind:
            return {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters") or []}
    return None


def enabled(dest: dict[str, Any]) -> bool:
    return bool((dest.get("DynamicPartitioningConfiguration") or {}).get("Enabled"))


def deaggregate(dest: dict[str, Any], ok: list[tuple[Buffered, bytes]]) -> list[tuple[Buffered, bytes]]:
    """RecordDeAggregation: each record's sub-records (a record that does not parse stays whole)."""
    params = processor_parameters(dest, "RecordDeAggregation")
    if params is None:
        return ok
    out: list[tuple[Buffered, bytes]] = []
    for record, data in ok:
        if params.get("SubRecordType") == "DELIMITED":
            try:
                delimiter = base64.b64decode(params.get("Delimiter", ""), validate=True) or b"\n"
            except binascii.Error:
                delimiter = b"\n"
            parts = [p for p in data.split(delimiter) if p]
        else:
            parts = _json_objects(data)
        out.extend((record, part) for part in parts or [data])
    return out


def _json_objects(data: bytes) -> list[bytes]:
    """Concatenated JSON values (with or without whitespace between them), each as its text."""
    text, at, parts = data.decode("utf-8", "replace"), 0, []
    decoder = json.JSONDecoder()
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        try:
            _, end = decoder.raw_decode(text, at)
        except ValueError:
            return [data]
        parts.append(text[at:end].encode())
        at = end
    return parts


def append_delimiter(dest: dict[str, Any], ok: list[tuple[Buffered, bytes]]) -> list[tuple[Buffered, bytes]]:
    params = processor_parameters(dest, "AppendDelimiterToRecord")
    if params is None:
        return ok
    delimiter = params.get("Delimiter", "\\n").encode().decode("unicode_escape").encode()
    return [(record, data + delimiter) for record, data in ok]


def partition(dest: dict[str, Any], ok: list[tuple[Buffered, bytes]], lambda_keys: dict[int, dict[str, str]]
              ) -> tuple[list[Partition], list[tuple[Buffered, str]]]:
    """The records grouped by their partition keys, and the records whose keys failed (with why)."""
    query = (processor_parameters(dest, "MetadataExtraction") or {}).get("MetadataExtractionQuery")
    program = jq.compile(query) if query else None
    groups: dict[str, Partition] = {}
    failed: list[tuple[Buffered, str]] = []
    for record, data in ok:
        keys: dict[str, dict[str, str]] = {"lambda": lambda_keys.get(record.id, {})}
        if program is not None:
            try:
                found = program.input_value(json.loads(data)).first()
            except (ValueError, StopIteration) as error:
                failed.append((record, f"The metadata extraction query failed: {error}"))
                continue
            if not isinstance(found, dict):
                failed.append((record, "The metadata extraction query did not give an object of partition keys."))
                continue
            keys["query"] = {str(k): _text(v) for k, v in found.items()}
        group = groups.setdefault(json.dumps(keys, sort_keys=True), Partition(keys))
        group.records.append((record, data))
    return list(groups.values()), failed


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
