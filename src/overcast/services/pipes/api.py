"""EventBridge Pipes' operations: the pipe's lifecycle and its tags
(https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_Operations.html)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.pipes.errors import Conflict, NotFound, Validation
from overcast.services.pipes.models import (
    CREATING,
    DELETING,
    RUNNING,
    STARTING,
    STEADY,
    STOPPED,
    STOPPING,
    UPDATING,
    PipeStore,
)

#: what a pipe reads from, by the source ARN's service (and resource type)
SOURCE_KINDS = {"sqs": "SqsQueueParameters", "kinesis": "KinesisStreamParameters",
                "dynamodb": "DynamoDBStreamParameters"}
#: members DescribePipe returns; ListPipes returns the summary ones
SUMMARY = ("Name", "Arn", "DesiredState", "CurrentState", "StateReason", "CreationTime", "LastModifiedTime",
           "Source", "Target", "Enrichment")


def pipe_arn(ctx: RequestContext, name: str) -> str:
    return f"arn:aws:pipes:{ctx.region}:{ctx.account}:pipe/{name}"


def _source_kind(source: str) -> str:
    """The source's service, or ValidationException for a source overcast's pipes cannot read."""
    parts = source.split(":")
    service = parts[2] if len(parts) > 5 and source.startswith("arn:") else ""
    if service == "dynamodb" and "/stream/" not in source:
        service = ""
    if service not in SOURCE_KINDS:
        raise Validation(f"Source {source} is not a supported source. Supported sources are Amazon SQS queues, "
                         "Amazon Kinesis streams and Amazon DynamoDB streams.")
    return service


def _check_source_parameters(kind: str, params: dict[str, Any] | None) -> None:
    """Stream sources need a StartingPosition (the model makes it required in their parameters)."""
    if kind in ("kinesis", "dynamodb") and not (params or {}).get(SOURCE_KINDS[kind]):
        raise Validation(f"{SOURCE_KINDS[kind]} is required for source of type {kind}: StartingPosition must be "
                         "specified.")


def _plain(value: Any) -> Any:
    """Parameters as stored: timestamps (StartingPositionTimestamp) as epoch seconds."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class PipesApi:
    """One method per EventBridge Pipes operation."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(PipeStore)

    def _summary(self, pipe: dict[str, Any]) -> dict[str, Any]:
        return {k: pipe[k] for k in SUMMARY if pipe.get(k) is not None}

    def _answer(self, pipe: dict[str, Any]) -> dict[str, Any]:
        keys = ("Arn", "Name", "DesiredState", "CurrentState", "CreationTime", "LastModifiedTime")
        return {k: pipe[k] for k in keys if k in pipe}

    def _steady(self, pipe: dict[str, Any]) -> None:
        """AWS refuses a change while a pipe is between states."""
        if pipe["CurrentState"] not in STEADY:
            raise Conflict(f"Pipe {pipe['Name']} cannot be modified while it is in state {pipe['CurrentState']}.",
                           pipe["Name"])

    def create_pipe(self, ctx: RequestContext, name: str, source: str, target: str, role_arn: str,
                    **params: Any) -> dict[str, Any]:
        params = _plain(params)
        kind = _source_kind(source)
        _check_source_parameters(kind, params.get("source_parameters"))
        if self.store.find(ctx.account, ctx.region, name) is not None:
            raise Conflict(f"Pipe {name} already exists.", name)
        now = self.platform.clock.now()
        doc: dict[str, Any] = {"Name": name, "Arn": pipe_arn(ctx, name),
                               "DesiredState": params.get("desired_state") or RUNNING,
                               "Source": source, "SourceParameters": params.get("source_parameters") or {},
                               "Target": target, "TargetParameters": params.get("target_parameters") or {},
                               "RoleArn": role_arn, "Tags": params.get("tags") or {},
                               "CreationTime": now, "LastModifiedTime": now}
        for member, key in (("description", "Description"), ("enrichment", "Enrichment"),
                            ("enrichment_parameters", "EnrichmentParameters"),
                            ("log_configuration", "LogConfiguration"), ("kms_key_identifier", "KmsKeyIdentifier")):
            if params.get(member) is not None:
                doc[key] = params[member]
        self.store.put(ctx.account, ctx.region, doc, CREATING)
        return self._answer({**doc, "CurrentState": CREATING})

    def describe_pipe(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        pipe = self.store.get(ctx.account, ctx.region, name)
        pipe.setdefault("EnrichmentParameters", {})
        return pipe

    def update_pipe(self, ctx: RequestContext, name: str, role_arn: str, **params: Any) -> dict[str, Any]:
        params = _plain(params)
        pipe = self.store.get(ctx.account, ctx.region, name)
        self._steady(pipe)
        # the source cannot change; its parameters (batch size, filters...) may
        _check_source_parameters(_source_kind(pipe["Source"]), params.get("source_parameters") or
                                 pipe.get("SourceParameters"))
        pipe["RoleArn"] = role_arn
        for member, key in (("description", "Description"), ("desired_state", "DesiredState"),
                            ("target", "Target"), ("enrichment", "Enrichment"),
                            ("log_configuration", "LogConfiguration"), ("kms_key_identifier", "KmsKeyIdentifier")):
            if params.get(member) is not None:
                pipe[key] = params[member]
        # AWS: fields not given stay; a service-specific object given (SqsQueueParameters,
        # EventBridgeEventBusParameters...) replaces the pipe's as a whole
        for member, key in (("source_parameters", "SourceParameters"), ("target_parameters", "TargetParameters"),
                            ("enrichment_parameters", "EnrichmentParameters")):
            if params.get(member) is not None:
                pipe[key] = {**pipe.get(key, {}), **params[member]}
        if pipe.get("Enrichment") == "":
            pipe.pop("Enrichment")
        pipe["LastModifiedTime"] = self.platform.clock.now()
        self.store.put(ctx.account, ctx.region, pipe, UPDATING)
        return self._answer({**pipe, "CurrentState": UPDATING})

    def delete_pipe(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        pipe = self.store.get(ctx.account, ctx.region, name)
        self._steady(pipe)
        pipe["LastModifiedTime"] = self.platform.clock.now()
        self.store.put(ctx.account, ctx.region, pipe, DELETING)
        return {**self._answer({**pipe, "CurrentState": DELETING}), "DesiredState": "DELETED"}

    def start_pipe(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        return self._switch(ctx, name, RUNNING, STARTING)

    def stop_pipe(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        return self._switch(ctx, name, STOPPED, STOPPING)

    def _switch(self, ctx: RequestContext, name: str, desired: str, transition: str) -> dict[str, Any]:
        pipe = self.store.get(ctx.account, ctx.region, name)
        self._steady(pipe)
        pipe["DesiredState"] = desired
        pipe["LastModifiedTime"] = self.platform.clock.now()
        self.store.put(ctx.account, ctx.region, pipe, transition)
        return self._answer({**pipe, "CurrentState": transition})

    def list_pipes(self, ctx: RequestContext, name_prefix: str | None = None, desired_state: str | None = None,
                   current_state: str | None = None, source_prefix: str | None = None,
                   target_prefix: str | None = None, next_token: str | None = None,
                   limit: int | None = None) -> dict[str, Any]:
        pipes = [p for p in self.store.all(ctx.account, ctx.region)
                 if p["Name"].startswith(name_prefix or "") and p["Source"].startswith(source_prefix or "")
                 and p["Target"].startswith(target_prefix or "")
                 and desired_state in (None, p["DesiredState"]) and current_state in (None, p["CurrentState"])]
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = limit or 100
        page = pipes[start:start + size]
        out: dict[str, Any] = {"Pipes": [self._summary(p) for p in page]}
        if start + size < len(pipes):
            out["NextToken"] = str(start + size)
        return out

    # -- tags ---------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> dict[str, Any]:
        pipe = self.store.by_arn(arn)
        if pipe is None:
            raise NotFound(f"Resource {arn} does not exist.")
        return pipe

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"tags": self._tagged(resource_arn).get("Tags") or {}}

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        pipe = self._tagged(resource_arn)
        pipe["Tags"] = {**(pipe.get("Tags") or {}), **tags}
        self._save_tags(resource_arn, pipe)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        pipe = self._tagged(resource_arn)
        pipe["Tags"] = {k: v for k, v in (pipe.get("Tags") or {}).items() if k not in tag_keys}
        self._save_tags(resource_arn, pipe)
        return {}

    def _save_tags(self, arn: str, pipe: dict[str, Any]) -> None:
        parts = arn.split(":", 5)
        self.store.put(parts[4], parts[3], pipe, pipe["CurrentState"])
