"""Distributed Map: `ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html)).

The state starts a Map Run (`MapRunStarted`, its ARN `...:mapRun:<machine>/<Label>:<id>`) and
runs each item (or each `ItemBatcher` batch) as a child workflow execution of the ItemProcessor:
STANDARD children are executions of their own (`...:execution:<machine>/<Label>:<id>`, with their
history, listed by `ListExecutions(mapRunArn=...)`), EXPRESS ones keep no history. At most
`MaxConcurrency` children run at once (0: no limit). A child that fails counts against
`ToleratedFailurePercentage`/`ToleratedFailureCount` (and their `...Path` forms); past either the
Map Run fails with `States.ExceedToleratedFailureThreshold` and no further child starts.

The state's result is the children's outputs in item order (a failed child's entry is its
execution record, as AWS returns it), or with a `ResultWriter` the results are written to S3 as
AWS lays them out — `<Prefix>/<map run id>/manifest.json` and `SUCCEEDED_0.json`, `FAILED_0.json`,
`PENDING_0.json` — and the result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`.

Children are named from the Map Run and the item's index, and the Map Run's ARN is part of the
execution's checkpoint: after a restart the state goes on with the same Map Run, takes the result
of every child that had ended and resumes the others from their own checkpoints.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from overcast.services.stepfunctions import calls, paths
from overcast.services.stepfunctions.items import batches, read_items
from overcast.services.stepfunctions.journal import Journal, MemoryJournal, Thread
from overcast.services.stepfunctions.maprun import MapRuns, counts, map_run_arn
from overcast.services.stepfunctions.models import Execution, Executions
from overcast.services.stepfunctions.paths import StatesError

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run

#: AWS runs up to 10,000 child executions at once when MaxConcurrency is 0
MOST_CONCURRENT = 10000
EXCEEDED = "States.ExceedToleratedFailureThreshold"


def is_distributed(state: dict[str, Any]) -> bool:
    processor = state.get("ItemProcessor") or {}
    return (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED"


async def run_distributed(run: Run, state: dict[str, Any], data: Any, thread: Thread, ctx: dict[str, Any],
                          resume: dict[str, Any] | None, select: Callable[[int, Any], Any] | None = None) -> Any:
    """`select(index, item)`: an item's child input (JSONata's ItemSelector); else ItemSelector or
    Parameters as a payload template over the Map's input and `$$.Map.Item`."""
    if "ItemReader" in state:
        items = await read_items(run, state["ItemReader"], data, ctx)
    else:
        items = paths.select(state.get("ItemsPath", "$"), data, ctx, field="ItemsPath")
        if not isinstance(items, list):
            raise StatesError("States.Runtime", f"An error occurred while executing the state. Map state input "
                                                f"must be an array but was: {paths._dump(items)}")
    selector = state.get("ItemSelector", state.get("Parameters"))
    if select is not None:
        items = [select(i, item) for i, item in enumerate(items)]
    elif selector is not None:
        items = [paths.template(selector, data, {**ctx, "Map": {"Item": {"Index": i, "Value": item}}})
                 for i, item in enumerate(items)]
    inputs = batches(state.get("ItemBatcher"), items, data, ctx)
    mapper = MapRun(run, state, data, ctx, inputs, resume)
    if mapper.new:  # a Map Run resumed after a restart was started before
        run.event(thread, "MapRunStarted", {"mapRunArn": mapper.arn})
    try:
        records = await mapper.children()
    except StatesError as failure:
        run.platform.component(MapRuns).finish(mapper.arn, "FAILED")
        run.event(thread, "MapRunFailed", {"error": failure.error, "cause": failure.cause})
        raise
    written = len(records) if "ResultWriter" in state and "Resource" in state["ResultWriter"] else 0
    result = await mapper.results(records, data)
    run.platform.component(MapRuns).finish(mapper.arn, "SUCCEEDED", written)
    run.event(thread, "MapRunSucceeded")
    return result


class MapRun:
    """One Map Run: its children, run and counted."""

    def __init__(self, run: Run, state: dict[str, Any], data: Any, ctx: dict[str, Any],
                 inputs: list[tuple[Any, int]], resume: dict[str, Any] | None) -> None:
        self.run, self.state, self.inputs = run, state, inputs
        self.runs = run.platform.component(MapRuns)
        self.executions = run.platform.component(Executions)
        processor = state["ItemProcessor"]
        self.express = processor["ProcessorConfig"].get("ExecutionType", "STANDARD") == "EXPRESS"
        self.definition = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
        if "QueryLanguage" not in self.definition and run.language != "JSONPath":
            self.definition["QueryLanguage"] = run.language
        label = state.get("Label") or ctx["State"]["Name"]
        parent_machine = run.context["StateMachine"]["Id"]
        self.machine_arn = f"{parent_machine}/{label}"
        self.parent = run.context["Execution"]["Id"]
        existing = (resume or {}).get("map_run")
        self.new = not (existing and self.runs.find(existing) is not None)
        self.arn: str = str(existing)
        if self.new:
            self.arn = map_run_arn(parent_machine, label, str(uuid.uuid4()))
            self._create(data, ctx)
            if resume is not None:
                resume["map_run"] = self.arn
                run.journal.checkpoint(resume)
        self.run_id = self.arn.rsplit(":", 1)[-1]
        self.failed = 0
        self.stop = False

    def _create(self, data: Any, ctx: dict[str, Any]) -> None:
        state = self.state
        items = sum(n for _, n in self.inputs)
        doc: dict[str, Any] = {
            "mapRunArn": self.arn, "executionArn": self.parent, "status": "RUNNING", "startDate": self.run.clock.now(),
            "maxConcurrency": int(state.get("MaxConcurrency", 0) or 0), "itemCounts": counts(items),
            "executionCounts": counts(len(self.inputs)), "redriveCount": 0, "stateMachineArn": self.machine_arn}
        for field, kind in (("ToleratedFailurePercentage", float), ("ToleratedFailureCount", int)):
            value = _tolerance(state, field, data, ctx)
            if value is not None:
                doc[field[0].lower() + field[1:]] = kind(value)
        self.runs.create(doc)

    async def children(self) -> list[dict[str, Any]]:
        doc = self.runs.find(self.arn) or {}
        limit = int(doc.get("maxConcurrency") or 0) or MOST_CONCURRENT
        gate = asyncio.Semaphore(limit)

        async def one(index: int) -> dict[str, Any] | None:
            async with gate:
                if self.stop:
                    return None
                record = await self.child(index)
                if record["Status"] != "SUCCEEDED":
                    self.failed += 1
                    if self._exceeded():
                        self.stop = True
                return record

        records = await asyncio.gather(*(one(i) for i in range(len(self.inputs))))
        if self.stop:
            raise StatesError(EXCEEDED, "The specified tolerated failure threshold was exceeded")
        return [r for r in records if r is not None]

    def _exceeded(self) -> bool:
        """AWS: the Map Run fails once the failed children exceed either threshold set (with
        neither, at the first failure)."""
        doc = self.runs.find(self.arn) or {}  # UpdateMapRun may have changed the thresholds
        checks = []
        if "toleratedFailureCount" in doc:
            checks.append(self.failed > doc["toleratedFailureCount"])
        if "toleratedFailurePercentage" in doc:
            checks.append(self.failed * 100.0 / max(1, len(self.inputs)) > doc["toleratedFailurePercentage"])
        return any(checks) if checks else self.failed > 0

    async def child(self, index: int) -> dict[str, Any]:
        """Run (or resume, or read) the child execution of input `index`; its record."""
        value, size = self.inputs[index]
        name = str(uuid.uuid5(uuid.UUID(self.run_id), str(index)))
        kind = "express" if self.express else "execution"
        head, _, machine = self.machine_arn.partition(":stateMachine:")
        arn = f"{head}:{kind}:{machine}:{name}"
        execution = self.executions.find(arn)
        if execution is not None and execution.status != "RUNNING":
            return record(execution)
        if execution is None:
            execution = self._start(arn, name, value)
        self.runs.count(self.arn, size, "pending", "running")
        journal: Journal = MemoryJournal(self.run.platform, arn) if self.express else Journal(self.run.platform, arn)
        ended = await self.run.run_child(self.run.platform, execution, journal)
        after = {"SUCCEEDED": "succeeded", "TIMED_OUT": "timedOut", "ABORTED": "aborted"}.get(ended.status, "failed")
        self.runs.count(self.arn, size, "running", after)
        return record(ended)

    def _start(self, arn: str, name: str, value: Any) -> Execution:
        text = json.dumps(value, separators=(",", ":"))
        now = self.run.clock.now()
        doc = {"executionArn": arn, "stateMachineArn": self.machine_arn, "name": name, "status": "RUNNING",
               "startDate": now, "input": text, "inputDetails": {"included": True}, "mapRunArn": self.arn,
               "roleArn": self.run.context["Execution"]["RoleArn"], "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE",
               "redriveStatusReason": "Execution is RUNNING and cannot be redriven"}
        execution = Execution(arn, self.machine_arn, name, "RUNNING", doc, self.definition, {})
        with self.run.platform.db.tx():  # AWS: EXPRESS children can be described and listed, with no history
            self.executions.create(execution)
            if not self.express:
                self.executions.append(arn, "ExecutionStarted", {"input": text, "inputDetails": {"truncated": False},
                                                                 "roleArn": self.run.context["Execution"]["RoleArn"]}, 0)
        return execution

    async def results(self, records: list[dict[str, Any]], data: Any) -> Any:
        writer = self.state.get("ResultWriter")
        transformation = ((writer or {}).get("WriterConfig") or {}).get(
            "Transformation", "NONE" if writer and "Resource" in writer else "COMPACT")
        shaped = [shape(r, transformation) for r in records]
        if transformation == "FLATTEN":
            shaped = [x for item in shaped for x in (item if isinstance(item, list) else [item])]
        if not writer or "Resource" not in writer:
            return shaped
        params = paths.template(writer.get("Parameters", writer.get("Arguments", {})), data, self.run.context)
        return await self._write(params, records, transformation)

    async def _write(self, params: dict[str, Any], records: list[dict[str, Any]], transformation: str) -> Any:
        bucket, prefix = params.get("Bucket"), str(params.get("Prefix", "")).strip("/")
        base = f"{prefix}/{self.run_id}" if prefix else self.run_id
        files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
        for status in files:
            chosen = [shape(r, transformation) for r in records
                      if (r["Status"] == "SUCCEEDED") == (status == "SUCCEEDED") and status != "PENDING"]
            if not chosen:
                continue
            key = f"{base}/{status}_0.json"
            body = json.dumps(chosen).encode()
            await self._put(bucket, key, body)
            files[status].append({"Key": key, "Size": len(body)})
        manifest = {"DestinationBucket": bucket, "MapRunArn": self.arn, "ResultFiles": files}
        await self._put(bucket, f"{base}/manifest.json", json.dumps(manifest).encode())
        return {"MapRunArn": self.arn, "ResultWriterDetails": {"Bucket": bucket, "Key": f"{base}/manifest.json"}}

    async def _put(self, bucket: Any, key: str, body: bytes) -> None:
        import base64

        try:
            await calls.call(self.run.platform, self.run.account, self.run.region, "s3", "PutObject",
                             {"Bucket": bucket, "Key": key, "Body": base64.b64encode(body).decode()},
                             role=calls.role_of(self.run.context))
        except StatesError as error:
            raise StatesError("States.ResultWriterFailed", f"{error.error}: {error.cause}") from None


def record(execution: Execution) -> dict[str, Any]:
    """A child execution as ResultWriter writes it (Transformation NONE)."""
    doc = execution.doc
    out: dict[str, Any] = {"ExecutionArn": execution.arn, "Input": doc.get("input", "{}"),
                           "InputDetails": {"Included": True}, "Name": execution.name}
    if "output" in doc:
        out.update(Output=doc["output"], OutputDetails={"Included": True})
    for key in ("error", "cause"):
        if key in doc:
            out[key.capitalize()] = doc[key]
    out.update(RedriveCount=doc.get("redriveCount", 0), RedriveStatus=doc.get("redriveStatus", "NOT_REDRIVABLE"),
               RedriveStatusReason=doc.get("redriveStatusReason", ""), StartDate=iso(doc["startDate"]),
               StateMachineArn=doc["stateMachineArn"], Status=execution.status)
    if "stopDate" in doc:
        out["StopDate"] = iso(doc["stopDate"])
    return out


def shape(rec: dict[str, Any], transformation: str) -> Any:
    """COMPACT and FLATTEN keep a succeeded child's output only; a failed one stays whole (AWS)."""
    if transformation == "NONE" or rec["Status"] != "SUCCEEDED":
        return rec
    return json.loads(rec.get("Output", "null"))


def _tolerance(state: dict[str, Any], field: str, data: Any, ctx: dict[str, Any]) -> Any:
    if field in state:
        return state[field]
    if f"{field}Path" in state:
        return paths.select(state[f"{field}Path"], data, ctx, field=f"{field}Path")
    return None


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
