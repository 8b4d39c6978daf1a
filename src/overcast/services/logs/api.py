"""CloudWatch Logs operations: log groups, log streams, events, retention and tags."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.logs import events as ev
from overcast.services.logs.api_kms import KmsKeyOperations, check_key
from overcast.services.logs.api_policies import ResourcePolicyOperations
from overcast.services.logs.api_subscriptions import SubscriptionOperations
from overcast.services.logs.errors import InvalidParameter, ResourceNotFound, TooManyTags
from overcast.services.logs.filter_pattern import (
    FilterPatternError,
    Matcher,
    compile_pattern,
    extracted_values,
    prefilter,
)
from overcast.services.logs.ingest import check_batch
from overcast.services.logs.models import LogStore
from overcast.services.logs.paging import decode_token, encode_token
from overcast.storage.db import Row

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                  2922, 3288, 3653)
MAX_TAGS = 50
DEFAULT_LIMIT = 50


def _matcher(pattern: str | None) -> Matcher:
    try:
        return compile_pattern(pattern)
    except FilterPatternError as exc:
        raise InvalidParameter(str(exc)) from None


def group_arn(ctx: RequestContext, name: str) -> str:
    return arns.build("logs", ctx.region, ctx.account, f"log-group:{name}")


class LogsApi(ResourcePolicyOperations, SubscriptionOperations, KmsKeyOperations):
    """One method per CloudWatch Logs operation; state and rules live in `models.py` (LogStore),
    event reads in `events.py`, PutLogEvents' batch rules in `ingest.py`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(LogStore)
        self.db = platform.db
        self.clock = platform.clock

    # -- log groups -----------------------------------------------------------------------------

    def create_log_group(self, ctx: RequestContext, log_group_name: str, kms_key_id: str | None = None,
                         tags: dict[str, str] | None = None, log_group_class: str | None = None,
                         **_: Any) -> dict[str, Any]:
        if kms_key_id:
            check_key(self.platform, ctx, kms_key_id, log_group_name)
        self.store.create_group(ctx.account, ctx.region, log_group_name, tags=tags, kms_key_id=kms_key_id,
                                log_group_class=log_group_class or "STANDARD")
        return {}

    def delete_log_group(self, ctx: RequestContext, log_group_name: str) -> dict[str, Any]:
        self.store.delete_group(ctx.account, ctx.region, log_group_name)
        return {}

    def describe_log_groups(self, ctx: RequestContext, log_group_name_prefix: str | None = None,
                            log_group_name_pattern: str | None = None, next_token: str | None = None,
                            limit: int | None = None, log_group_class: str | None = None,
                            log_group_identifiers: list[str] | None = None, **_: Any) -> dict[str, Any]:
        if log_group_name_prefix and log_group_name_pattern:
            raise InvalidParameter("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
        after = decode_token(next_token)[0] if next_token else None
        rows = self.store.groups(ctx.account, ctx.region, prefix=log_group_name_prefix, after=after,
                                 log_group_class=log_group_class)
        if log_group_name_pattern:  # AWS: a case-sensitive substring search
            rows = [r for r in rows if log_group_name_pattern in r["name"]]
        if log_group_identifiers is not None:
            wanted = {self._identifier_name(i) for i in log_group_identifiers}
            rows = [r for r in rows if r["name"] in wanted]
        size = limit or DEFAULT_LIMIT
        page = rows[:size]
        brief = bool(log_group_name_pattern)
        result: dict[str, Any] = {"logGroups": [self._group(ctx, r, brief) for r in page]}
        if len(rows) > size:
            result["nextToken"] = encode_token([page[-1]["name"]])
        return result

    def _group(self, ctx: RequestContext, row: Row, brief: bool) -> dict[str, Any]:
        arn = group_arn(ctx, row["name"])
        out: dict[str, Any] = {"logGroupName": row["name"], "creationTime": row["created"], "arn": f"{arn}:*"}
        if brief:  # AWS: with logGroupNamePattern only arn, creationTime and logGroupName come back
            return out
        out.update({"metricFilterCount": 0, "storedBytes": row["stored_bytes"], "logGroupArn": arn,
                    "logGroupClass": row["log_group_class"], "retentionInDays": row["retention_days"],
                    "kmsKeyId": row["kms_key_id"]})
        return out

    # -- log streams ----------------------------------------------------------------------------

    def create_log_stream(self, ctx: RequestContext, log_group_name: str, log_stream_name: str) -> dict[str, Any]:
        self.store.create_stream(ctx.account, ctx.region, log_group_name, log_stream_name)
        return {}

    def delete_log_stream(self, ctx: RequestContext, log_group_name: str, log_stream_name: str) -> dict[str, Any]:
        self.store.delete_stream(ctx.account, ctx.region, log_group_name, log_stream_name)
        return {}

    def describe_log_streams(self, ctx: RequestContext, log_group_name: str | None = None,
                             log_group_identifier: str | None = None, log_stream_name_prefix: str | None = None,
                             order_by: str | None = None, descending: bool | None = None,
                             next_token: str | None = None, limit: int | None = None) -> dict[str, Any]:
        group = self._group_name(log_group_name, log_group_identifier)
        by_time = order_by == "LastEventTime"
        if by_time and log_stream_name_prefix:
            raise InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        self.store.group(ctx.account, ctx.region, group)
        size = limit or DEFAULT_LIMIT
        after = decode_token(next_token) if next_token else None
        if after is not None and len(after) != 2:
            raise InvalidParameter("The specified nextToken is invalid.")
        rows = self.store.list_streams(ctx.account, ctx.region, group, prefix=log_stream_name_prefix,
                                       by_last_event=by_time, descending=bool(descending),
                                       after=after, limit=size + 1)
        page = rows[:size]
        result: dict[str, Any] = {"logStreams": [self._stream(ctx, group, r) for r in page]}
        if len(rows) > size:
            result["nextToken"] = encode_token([page[-1]["sort_time"], page[-1]["name"]])
        return result

    @staticmethod
    def _stream(ctx: RequestContext, group: str, row: Row) -> dict[str, Any]:
        return {
            "logStreamName": row["name"],
            "creationTime": row["created"],
            "firstEventTimestamp": row["first_event"],
            "lastEventTimestamp": row["last_event"],
            "lastIngestionTime": row["last_ingestion"],
            "arn": group_arn(ctx, f"{group}:log-stream:{row['name']}"),
            "storedBytes": 0,  # AWS: deprecated for log streams in 2019, always reported as zero
        }

    # -- events ---------------------------------------------------------------------------------

    def put_log_events(self, ctx: RequestContext, log_group_name: str, log_stream_name: str,
                       log_events: list[dict[str, Any]], sequence_token: str | None = None,
                       **_: Any) -> dict[str, Any]:
        # AWS: sequence tokens are accepted and ignored (never InvalidSequenceTokenException).
        self.store.stream(ctx.account, ctx.region, log_group_name, log_stream_name)
        group = self.store.group(ctx.account, ctx.region, log_group_name)
        now = int(self.clock.now() * 1000)
        batch = check_batch(log_events, now, self.store.cutoff_ms(group))
        self.store.append(ctx.account, ctx.region, log_group_name, log_stream_name, batch.accepted)
        result: dict[str, Any] = {"nextSequenceToken": ev.key_text((now, 0))}
        if batch.rejected:
            result["rejectedLogEventsInfo"] = batch.rejected
        return result

    def get_log_events(self, ctx: RequestContext, log_stream_name: str, log_group_name: str | None = None,
                       log_group_identifier: str | None = None, start_time: int | None = None,
                       end_time: int | None = None, next_token: str | None = None, limit: int | None = None,
                       start_from_head: bool | None = None, **_: Any) -> dict[str, Any]:
        name = self._group_name(log_group_name, log_group_identifier)
        self.store.stream(ctx.account, ctx.region, name, log_stream_name)
        start = self._visible_from(ctx, name, start_time)
        scope = ev.Scope(ctx.account, ctx.region, name, streams=[log_stream_name], start=start, end=end_time)
        return ev.get_events(self.db, scope, next_token, bool(start_from_head), limit)

    def filter_log_events(self, ctx: RequestContext, log_group_name: str | None = None,
                          log_group_identifier: str | None = None, log_stream_names: list[str] | None = None,
                          log_stream_name_prefix: str | None = None, start_time: int | None = None,
                          end_time: int | None = None, filter_pattern: str | None = None,
                          next_token: str | None = None, limit: int | None = None, **_: Any) -> dict[str, Any]:
        name = self._group_name(log_group_name, log_group_identifier)
        if log_stream_names and log_stream_name_prefix:
            raise InvalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        matcher = _matcher(filter_pattern)
        self.store.group(ctx.account, ctx.region, name)
        scope = ev.Scope(ctx.account, ctx.region, name, streams=log_stream_names,
                         stream_prefix=log_stream_name_prefix, start=self._visible_from(ctx, name, start_time),
                         end=end_time, end_inclusive=True, hint=prefilter(matcher))
        after = ev.decode_filter_token(next_token) if next_token else None
        page = ev.filter_events(self.db, scope, matcher, after, limit)
        # AWS: searchedLogStreams is no longer supported (since May 2020) and is always empty.
        result: dict[str, Any] = {"events": page.events, "searchedLogStreams": []}
        if page.next_key is not None:
            result["nextToken"] = ev.encode_filter_token(page.next_key)
        return result

    def test_metric_filter(self, ctx: RequestContext, filter_pattern: str,
                           log_event_messages: list[str]) -> dict[str, Any]:
        """Which sample messages a pattern matches, with the values a space-delimited one extracts."""
        matcher = _matcher(filter_pattern)
        matches = []
        for number, message in enumerate(log_event_messages, 1):
            values = extracted_values(matcher, message)
            if values is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
        return {"matches": matches}

    def _visible_from(self, ctx: RequestContext, group: str, start_time: int | None) -> int | None:
        """The earliest timestamp a read may return: expired events are gone even before deletion."""
        cutoff = self.store.cutoff_ms(self.store.group(ctx.account, ctx.region, group))
        if cutoff is None:
            return start_time
        return cutoff if start_time is None else max(start_time, cutoff)

    # -- retention ------------------------------------------------------------------------------

    def put_retention_policy(self, ctx: RequestContext, log_group_name: str, retention_in_days: int) -> dict[str, Any]:
        if retention_in_days not in RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in RETENTION_DAYS)
            raise InvalidParameter(
                f"1 validation error detected: Value '{retention_in_days}' at 'retentionInDays' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{allowed}]")
        self.store.set_retention(ctx.account, ctx.region, log_group_name, retention_in_days)
        return {}

    def delete_retention_policy(self, ctx: RequestContext, log_group_name: str) -> dict[str, Any]:
        self.store.set_retention(ctx.account, ctx.region, log_group_name, None)
        return {}

    # -- tags -----------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        self._tag(ctx, self._arn_group(ctx, resource_arn), tags, resource_arn)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        self._untag(ctx, self._arn_group(ctx, resource_arn), tag_keys)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"tags": self.store.tags(ctx.account, ctx.region, self._arn_group(ctx, resource_arn))}

    def tag_log_group(self, ctx: RequestContext, log_group_name: str, tags: dict[str, str]) -> dict[str, Any]:
        self._tag(ctx, log_group_name, tags, log_group_name)
        return {}

    def untag_log_group(self, ctx: RequestContext, log_group_name: str, tags: list[str]) -> dict[str, Any]:
        self._untag(ctx, log_group_name, tags)
        return {}

    def list_tags_log_group(self, ctx: RequestContext, log_group_name: str) -> dict[str, Any]:
        return {"tags": self.store.tags(ctx.account, ctx.region, log_group_name)}

    def _tag(self, ctx: RequestContext, group: str, tags: dict[str, str], resource: str) -> None:
        with self.db.tx():
            merged = {**self.store.tags(ctx.account, ctx.region, group), **tags}
            if len(merged) > MAX_TAGS:
                raise TooManyTags(f"A resource can have no more than {MAX_TAGS} tags.",
                                  fields={"resourceName": resource})
            self.store.set_tags(ctx.account, ctx.region, group, merged)

    def _untag(self, ctx: RequestContext, group: str, keys: list[str]) -> None:
        with self.db.tx():
            tags = self.store.tags(ctx.account, ctx.region, group)
            self.store.set_tags(ctx.account, ctx.region, group, {k: v for k, v in tags.items() if k not in keys})

    # -- naming ---------------------------------------------------------------------------------

    def _group_name(self, name: str | None, identifier: str | None) -> str:
        """The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN), never both."""
        if name and identifier:
            raise InvalidParameter("LogGroupName and LogGroupIdentifier are mutually exclusive parameters.")
        if not name and not identifier:
            raise InvalidParameter("Should provide either logGroupName or logGroupIdentifier.")
        return name or self._identifier_name(identifier or "")

    @staticmethod
    def _identifier_name(identifier: str) -> str:
        if not arns.is_arn(identifier):
            return identifier
        resource = arns.parse(identifier).resource
        name = resource.split(":", 1)[1] if resource.startswith("log-group:") else resource
        return name[:-2] if name.endswith(":*") else name

    def _arn_group(self, ctx: RequestContext, resource_arn: str) -> str:
        """The log group a tagging ARN names (`arn:aws:logs:<region>:<account>:log-group:<name>`)."""
        try:
            arn = arns.parse(resource_arn)
        except ValueError:
            raise InvalidParameter(f"Invalid ARN: {resource_arn}") from None
        if arn.service != "logs" or arn.account != ctx.account or arn.region != ctx.region \
                or not arn.resource.startswith("log-group:"):
            raise ResourceNotFound("The specified resource does not exist.")
        return self._identifier_name(resource_arn)
