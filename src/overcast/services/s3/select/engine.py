"""Running an S3 Select query over an object's bytes: reading CSV or JSON records (optionally GZIP or
BZIP2 compressed), filtering, projecting, aggregating, and writing CSV or JSON records
([AWS](https://docs.aws.amazon.com/AmazonS3/latest/API/API_SelectObjectContent.html)).

The answer is SelectObjectContent's event stream: `Records` events (payloads of at most
`CHUNK` bytes), then `Stats` (bytes scanned, processed and returned), then `End`.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
from collections.abc import Iterator
from typing import Any

from overcast.services.s3.select.query import MISSING, Query, SelectError, parse

CHUNK = 64 * 1024


def _decompress(data: bytes, compression: str | None) -> bytes:
    kind = (compression or "NONE").upper()
    try:
        if kind == "GZIP":
            return gzip.decompress(data)
        if kind == "BZIP2":
            return bz2.decompress(data)
    except (OSError, ValueError, EOFError):
        raise SelectError("InvalidCompressionFormat", "GZIP/BZIP2 is not applicable to the queried object. "
                          "Please correct the request and try again.") from None
    if kind != "NONE":
        raise SelectError("InvalidCompressionFormat", f"Compression type {compression} is not supported.")
    return data


def csv_records(text: str, options: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """CSV rows as records: `_1`... always, and header names with FileHeaderInfo USE."""
    delimiter = options.get("FieldDelimiter") or ","
    quote = options.get("QuoteCharacter") or '"'
    comments = options.get("Comments")
    rows = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote,
                      escapechar=options.get("QuoteEscapeCharacter") if options.get("QuoteEscapeCharacter")
                      not in (None, quote) else None)
    header_info = (options.get("FileHeaderInfo") or "NONE").upper()
    header: list[str] | None = None
    for row in rows:
        if not row or (comments and row[0].startswith(comments)):
            continue
        if header_info in ("USE", "IGNORE") and header is None:
            header = row
            continue
        record: dict[str, Any] = {f"_{i}": value for i, value in enumerate(row, start=1)}
        if header_info == "USE" and header is not None:
            record = {**{name: value for name, value in zip(header, row, strict=False)}, **record}
        yield record


def json_records(text: str, options: dict[str, Any]) -> Iterator[Any]:
    """JSON values: one document (Type DOCUMENT: consecutive values) or one per line (LINES)."""
    decoder = json.JSONDecoder()
    position = 0
    try:
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text):
                return
            value, position = decoder.raw_decode(text, position)
            yield value
    except ValueError:
        raise SelectError("InvalidJsonType", "The JSON is not valid. Please check the input and try again.") from None


def _from(values: Iterator[Any], path: list[str]) -> Iterator[Any]:
    """The records a FROM clause names: S3Object's values, descended along `path`, arrays flattened."""
    for value in values:
        current = [value]
        for name in path:
            current = [item.get(name, MISSING) if isinstance(item, dict) else MISSING for item in current]
            current = [x for item in current for x in (item if isinstance(item, list) else [item])]
        for item in current:
            if isinstance(item, list):
                yield from item
            elif item is not MISSING:
                yield item


def _rows(query: Query, records: Iterator[Any]) -> Iterator[list[tuple[str, Any]]]:
    """(name, value) rows of the query's answer."""
    count = 0
    aggregates = query.aggregates
    for record in records:
        if query.limit is not None and count >= query.limit and not aggregates:
            return
        row = record if isinstance(record, dict) else {"_1": record}
        if query.where is not None and query.where(row) is not True:
            continue
        count += 1
        if aggregates:
            for aggregate in aggregates:
                aggregate.values.append(1 if aggregate.arg is None else _numeric(aggregate.arg(row), aggregate.kind))
            continue
        if query.items is None:
            yield [(k, v) for k, v in row.items()] if isinstance(record, dict) else [("_1", record)]
            continue
        yield [(item.name or f"_{i}", item.fn(row)) for i, item in enumerate(query.items, start=1)]
    if aggregates:
        assert query.items is not None
        yield [(item.name or f"_{i}", item.aggregate.result() if item.aggregate else None)
               for i, item in enumerate(query.items, start=1)]


def _numeric(value: Any, kind: str) -> Any:
    if kind in ("SUM", "AVG") and isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            raise SelectError("InvalidDataType", "The SQL expression contains an invalid data type.") from None
    return value


def _csv_out(row: list[tuple[str, Any]], options: dict[str, Any]) -> str:
    buffer = io.StringIO()
    always = (options.get("QuoteFields") or "ASNEEDED").upper() == "ALWAYS"
    writer = csv.writer(buffer, delimiter=options.get("FieldDelimiter") or ",",
                        quotechar=options.get("QuoteCharacter") or '"',
                        quoting=csv.QUOTE_ALL if always else csv.QUOTE_MINIMAL,
                        lineterminator=options.get("RecordDelimiter") or "\n")
    writer.writerow(["" if v is None or v is MISSING else _text(v) for _, v in row])
    return buffer.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json_out(row: list[tuple[str, Any]], options: dict[str, Any]) -> str:
    document = {name: value for name, value in row if value is not MISSING}
    return json.dumps(document, separators=(",", ":")) + (options.get("RecordDelimiter") or "\n")


def run(expression: str, data: bytes, input_serialization: dict[str, Any],
        output_serialization: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The event stream of one SelectObjectContent call (SelectError on a bad query or input)."""
    query = parse(expression)
    text = _decompress(data, input_serialization.get("CompressionType")).decode("utf-8", "replace")
    if "CSV" in input_serialization:
        records: Iterator[Any] = csv_records(text, input_serialization["CSV"] or {})
    elif "JSON" in input_serialization:
        records = _from(json_records(text, input_serialization["JSON"] or {}), query.from_path)
    else:
        raise SelectError("UnsupportedFormat", "Only CSV and JSON input are supported by overcast.")
    if "JSON" in output_serialization:
        options, write = output_serialization["JSON"] or {}, _json_out
    else:
        options, write = output_serialization.get("CSV") or {}, _csv_out
    out = "".join(write(row, options) for row in _rows(query, records)).encode()
    return _events(out, len(data), len(text.encode()))


def _events(out: bytes, scanned: int, processed: int) -> Iterator[dict[str, Any]]:
    for start in range(0, len(out), CHUNK):
        yield {"Records": {"Payload": out[start:start + CHUNK]}}
    yield {"Stats": {"Details": {"BytesScanned": scanned, "BytesProcessed": processed, "BytesReturned": len(out)}}}
    yield {"End": {}}
