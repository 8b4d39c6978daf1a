"""Task tokens (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat) and tags."""

from __future__ import annotations

import json
import re
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.services.stepfunctions.errors import InvalidToken, ResourceNotFound
from overcast.services.stepfunctions.models import WAKE_SIGNAL, Executions, Machine, Machines

MAX_TAGS = 50


def tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """Tags as a map. The model leaves a tag's `key` optional, but a tag needs one: a tag without
    it is a ValidationException (the message is overcast's), not a missing key in the store."""
    out: dict[str, str] = {}
    for tag in tags or []:
        if not isinstance(tag.get("key"), str):
            from overcast.services.stepfunctions.errors import Validation

            raise Validation("Invalid tag: a tag must have a key")
        out[tag["key"]] = tag.get("value", "")
    return out


_TOKEN = re.compile(r"[A-Za-z0-9_-]{128}")


def _check_token(token: str) -> None:
    if not token or len(token) > 1024 or not _TOKEN.fullmatch(token):
        raise InvalidToken("Invalid Token: 'Invalid token'")


class TaskTimedOut(ClientError):
    code = "TaskTimedOut"


class InvalidOutput(ClientError):
    code = "InvalidOutput"


class TaskOperations:
    """Mixed into `StepFunctionsApi`."""

    platform: Any
    db: Any
    clock: Any
    machines: Machines
    executions: Executions

    def _answer(self, token: str, outcome: dict[str, Any], heartbeat: bool = False) -> dict[str, Any]:
        # AWS: a string that is not a task token at all is InvalidToken; a token that was answered
        # or whose task ended is TaskTimedOut (overcast's tokens are 128 URL-safe base64 characters)
        _check_token(token)
        with self.db.tx():
            row = self.executions.token(token)
            if row is None or (row["outcome"] and "heartbeat" not in json.loads(row["outcome"])):
                raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
            self.executions.answer_token(token, outcome)
        self.platform.signals.notify(WAKE_SIGNAL)
        return {}

    def send_task_success(self, ctx: RequestContext, task_token: str, output: str) -> dict[str, Any]:
        _check_token(task_token)  # AWS checks the token before the output
        try:
            documents.loads(output)
        except ValueError as exc:
            raise InvalidOutput(f"Invalid Output: '{exc}'") from None
        return self._answer(task_token, {"output": output})

    def send_task_failure(self, ctx: RequestContext, task_token: str, error: str | None = None,
                          cause: str | None = None) -> dict[str, Any]:
        return self._answer(task_token, {"error": error or "", "cause": cause or ""})

    def send_task_heartbeat(self, ctx: RequestContext, task_token: str) -> dict[str, Any]:
        return self._answer(task_token, {"heartbeat": self.clock.now()}, heartbeat=True)

    def _tagged(self, arn: str) -> Machine:
        """The tagged resource: a state machine, or an activity (its row seen as a Machine whose
        save writes the activity's tags)."""
        machine = self.machines.find(arn)
        if machine is None and ":activity:" in arn:
            row = self.db.query_one("SELECT * FROM sfn_activities WHERE arn=?", (arn,))
            if row is not None:
                return _ActivityTags(arn, row["account"], row["region"], row["name"], {}, json.loads(row["tags"]))
        if machine is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'", fields={"resourceName": arn})
        return machine

    def _save_tags(self, tagged: Machine) -> None:
        if isinstance(tagged, _ActivityTags):
            self.db.execute("UPDATE sfn_activities SET tags=? WHERE arn=?", (json.dumps(tagged.tags), tagged.arn))
        else:
            self.machines.save(tagged)

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        with self.db.tx():
            machine = self._tagged(resource_arn)
            machine.tags.update(tag_map(tags))
            if len(machine.tags) > MAX_TAGS:
                from overcast.services.stepfunctions.errors import Validation

                raise Validation(f"The number of tags exceeds the limit of {MAX_TAGS}")
            self._save_tags(machine)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        with self.db.tx():
            machine = self._tagged(resource_arn)
            machine.tags = {k: v for k, v in machine.tags.items() if k not in tag_keys}
            self._save_tags(machine)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        machine = self._tagged(resource_arn)
        return {"tags": [{"key": k, "value": v} for k, v in machine.tags.items()]}


class _ActivityTags(Machine):
    """An activity's tags, handled as a state machine's are."""
