"""A Distributed Map's items: `ItemReader` over S3 and `ItemBatcher`
([ItemReader](https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html),
[ItemBatcher](https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html)).

- `arn:aws:states:::s3:getObject` with `ReaderConfig.InputType` JSON (the object is a JSON array),
  JSONL (one JSON value a line), CSV (each row an object of strings, its keys the first row's
  headers, `CSVHeaderLocation: FIRST_ROW`, or `CSVHeaders` with `GIVEN`; `CSVDelimiter` COMMA,
  PIPE, SEMICOLON, SPACE or TAB);
- `arn:aws:states:::s3:listObjectsV2`: each object under `Prefix` as `{Etag, Key, LastModified,
  Size, StorageClass}`;
- `MaxItems`/`MaxItemsPath` keeps the first items.

S3 is read in process through its own operations (`calls.call`). A reader that cannot read is
`States.ItemReaderFailed`, as on AWS.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from overcast.services.stepfunctions import calls, paths
from overcast.services.stepfunctions.paths import StatesError

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run

DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


async def read_items(run: Run, reader: dict[str, Any], data: Any, ctx: dict[str, Any]) -> list[Any]:
    """The items `reader` (the state's ItemReader) names, the Map's effective input `data`."""
    params = paths.template(reader.get("Parameters", reader.get("Arguments", {})), data, ctx)
    config = reader.get("ReaderConfig", {})
    resource = str(reader.get("Resource", ""))
    try:
        if resource.endswith(":s3:listObjectsV2"):
            items = await _list_objects(run, params)
        elif resource.endswith(":s3:getObject"):
            items = _parse(await _get_object(run, params), config)
        else:
            raise StatesError("States.ItemReaderFailed", f"The ItemReader resource {resource} is not supported")
    except StatesError as error:
        if error.error == "States.ItemReaderFailed":
            raise
        raise StatesError("States.ItemReaderFailed", f"{error.error}: {error.cause}") from None
    limit = config.get("MaxItems")
    if limit is None and "MaxItemsPath" in config:
        limit = paths.select(config["MaxItemsPath"], data, ctx, field="MaxItemsPath")
    return items[: int(limit)] if limit else items


async def _get_object(run: Run, params: dict[str, Any]) -> str:
    found = await calls.call(run.platform, run.account, run.region, "s3", "GetObject",
                             {"Bucket": params.get("Bucket"), "Key": params.get("Key"),
                              **({"VersionId": params["VersionId"]} if "VersionId" in params else {})},
                             role=calls.role_of(run.context))
    body = found.get("Body", "")
    raw = base64.b64decode(body) if isinstance(body, str) else bytes(body)
    return raw.decode("utf-8-sig")


def _parse(text: str, config: dict[str, Any]) -> list[Any]:
    kind = config.get("InputType", "JSON")
    try:
        if kind == "JSON":
            items = json.loads(text)
            if not isinstance(items, list):
                raise StatesError("States.ItemReaderFailed", "Attempting to map over non-iterable node.")
            return items
        if kind == "JSONL":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if kind == "CSV":
            return _csv(text, config)
    except ValueError as error:
        raise StatesError("States.ItemReaderFailed", f"The object is not valid {kind}: {error}") from None
    raise StatesError("States.ItemReaderFailed", f"The InputType {kind} is not supported")


def _csv(text: str, config: dict[str, Any]) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text), delimiter=DELIMITERS.get(config.get("CSVDelimiter", "COMMA"), ",")))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = list(config.get("CSVHeaders") or [])
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    items = []
    for row in rows:
        if not row:
            continue
        if len(row) > len(headers):
            raise StatesError("States.ItemReaderFailed", f"The row {row} has more fields than the headers {headers}")
        items.append({header: row[i] if i < len(row) else "" for i, header in enumerate(headers)})
    return items


async def _list_objects(run: Run, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        request = {k: v for k, v in params.items() if k in ("Bucket", "Prefix", "Delimiter", "StartAfter")}
        if token:
            request["ContinuationToken"] = token
        page = await calls.call(run.platform, run.account, run.region, "s3", "ListObjectsV2", request,
                                role=calls.role_of(run.context))
        for obj in page.get("Contents", []):
            items.append({"Etag": obj.get("ETag"), "Key": obj.get("Key"), "LastModified": obj.get("LastModified"),
                          "Size": obj.get("Size"), "StorageClass": obj.get("StorageClass", "STANDARD")})
        token = page.get("NextContinuationToken")
        if not page.get("IsTruncated") or not token:
            return items


def batches(batcher: dict[str, Any] | None, items: list[Any], data: Any, ctx: dict[str, Any]) -> list[tuple[Any, int]]:
    """Each child execution's input and how many items it holds: one per item, or with an
    ItemBatcher `{"BatchInput": ..., "Items": [...]}` of at most MaxItemsPerBatch items and
    MaxInputBytesPerBatch bytes (AWS's limit is 256 KiB)."""
    if batcher is None:
        return [(item, 1) for item in items]
    most = _number(batcher, "MaxItemsPerBatch", data, ctx)
    size = _number(batcher, "MaxInputBytesPerBatch", data, ctx) or 262144
    shared = paths.template(batcher["BatchInput"], data, ctx) if "BatchInput" in batcher else None
    out: list[tuple[Any, int]] = []
    current: list[Any] = []

    def close() -> None:
        if current:
            out.append((_batch(shared, current), len(current)))

    for item in items:
        trial = [*current, item]
        if current and ((most and len(trial) > most) or len(json.dumps(_batch(shared, trial))) > size):
            close()
            current = [item]
        else:
            current = trial
    close()
    return out


def _batch(shared: Any, items: list[Any]) -> dict[str, Any]:
    return {"Items": items} if shared is None else {"BatchInput": shared, "Items": items}


def _number(config: dict[str, Any], field: str, data: Any, ctx: dict[str, Any]) -> int:
    value = config.get(field)
    if value is None and f"{field}Path" in config:
        value = paths.select(config[f"{field}Path"], data, ctx, field=f"{field}Path")
    return int(value or 0)
