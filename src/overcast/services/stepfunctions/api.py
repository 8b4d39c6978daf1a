"""Step Functions operations on state machines; executions in `api_executions.py`, task tokens and
tags in `api_tasks.py`. State lives in `models.py`; executions run in `runner.py`."""

from __future__ import annotations

import re
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.stepfunctions import validate
from overcast.services.stepfunctions.api_activities import ActivityOperations, check_encryption
from overcast.services.stepfunctions.api_executions import ExecutionOperations
from overcast.services.stepfunctions.api_maprun import MapRunOperations
from overcast.services.stepfunctions.api_tasks import MAX_TAGS, TaskOperations, tag_map
from overcast.services.stepfunctions.api_versions import VersionOperations
from overcast.services.stepfunctions.errors import (
    InvalidArn,
    InvalidDefinition,
    StateMachineAlreadyExists,
    StateMachineDoesNotExist,
    Validation,
)
from overcast.services.stepfunctions.models import Executions, Machine, Machines, machine_arn
from overcast.services.stepfunctions.paging import page
from overcast.services.stepfunctions.validate import check_name
from overcast.services.stepfunctions.versions import split

_ROLE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/\S+")


#: the rule Step Functions manages for `.sync` executions of nested state machines
SYNC_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"


def check_role_use(platform: Platform, ctx: RequestContext, role_arn: str | None, definition: str | None) -> None:
    """Under `--iam enforce`, as on AWS: the role must trust `states.amazonaws.com`, and a definition
    with `states:startExecution.sync` needs the role to manage its EventBridge rule
    ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html))."""
    if not role_arn or platform.iam is None or platform.config.iam == "off":
        return
    if not platform.iam.service_may_assume("states.amazonaws.com", role_arn):
        raise ServiceError("Neither the global service principal states.amazonaws.com, nor the regional one is "
                           "authorized to assume the provided role.", code="AccessDeniedException", status=400,
                           sender_fault=True)
    if definition and ":::states:startExecution.sync" in definition:
        rule = f"arn:aws:events:{ctx.region}:{ctx.account}:rule/{SYNC_RULE}"
        for action in ("events:PutTargets", "events:PutRule", "events:DescribeRule"):
            if platform.iam.refusal_as_role(role_arn, "CreateStateMachine", action, rule) is not None:
                raise ServiceError(f"'{role_arn}' is not authorized to create managed-rule.",
                                   code="AccessDeniedException", status=400, sender_fault=True)


def check_role(role_arn: str | None) -> None:
    """AWS: the role must be an IAM role's ARN (a 12-digit account)."""
    if role_arn is not None and not _ROLE.fullmatch(role_arn):
        raise InvalidArn(f"Invalid Arn: 'Invalid Role Arn: {role_arn}'")


def check_definition(definition: str) -> None:
    found = validate.diagnostics(definition)
    if found:
        raise InvalidDefinition(validate.message(found))


class StepFunctionsApi(ExecutionOperations, TaskOperations, ActivityOperations, VersionOperations,
                       MapRunOperations):
    """One method per Step Functions operation."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.machines = platform.component(Machines)
        self.executions = platform.component(Executions)

    def machine(self, arn: str) -> Machine:
        if not arn.startswith("arn:") or ":stateMachine:" not in arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        found = self.machines.find(split(arn)[0])
        if found is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return found

    def create_state_machine(self, ctx: RequestContext, name: str, definition: str, role_arn: str,
                             type: str | None = None, tags: list[dict[str, str]] | None = None,
                             publish: bool | None = None, version_description: str | None = None,
                             **config: Any) -> dict[str, Any]:
        check_name(name)
        check_role(role_arn)
        check_definition(definition)
        check_encryption(config.get("encryption_configuration"))
        check_role_use(self.platform, ctx, role_arn, definition)
        if version_description is not None and not publish:
            raise Validation("Version description can only be set when publish is true")
        arn = machine_arn(ctx.account, ctx.region, name)
        kind = type or "STANDARD"
        with self.db.tx():
            existing = self.machines.find(arn)
            if existing is not None:
                doc = existing.doc
                if doc["definition"] != definition or doc["roleArn"] != role_arn or doc["type"] != kind:
                    raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
                return {"stateMachineArn": arn, "creationDate": doc["creationDate"]}
            doc = {"stateMachineArn": arn, "name": name, "status": "ACTIVE", "definition": definition,
                   "roleArn": role_arn, "type": kind, "creationDate": self.clock.now(),
                   "revisionId": str(uuid.uuid4()),
                   "loggingConfiguration": config.get("logging_configuration") or {"level": "OFF",
                                                                                   "includeExecutionData": False},
                   "tracingConfiguration": config.get("tracing_configuration") or {"enabled": False},
                   # AWS: data is encrypted with an AWS owned key unless a customer managed key is named
                   "encryptionConfiguration": config.get("encryption_configuration") or {"type": "AWS_OWNED_KEY"}}
            machine = Machine(arn, ctx.account, ctx.region, name, doc,
                              tag_map(tags))
            if len(machine.tags) > MAX_TAGS:  # 50 tags, as TagResource holds them
                raise Validation(f"The number of tags exceeds the limit of {MAX_TAGS}")
            self.machines.save(machine)
            out = {"stateMachineArn": arn, "creationDate": doc["creationDate"]}
            if publish:
                out["stateMachineVersionArn"] = self.publish(machine, version_description)["stateMachineVersionArn"]
        return out

    def describe_state_machine(self, ctx: RequestContext, state_machine_arn: str,
                               included_data: str | None = None) -> dict[str, Any]:
        machine = self.machine(state_machine_arn)
        doc = {k: v for k, v in machine.doc.items() if not k.startswith("_")}
        doc.setdefault("encryptionConfiguration", {"type": "AWS_OWNED_KEY"})
        qualifier = split(state_machine_arn)[1]
        if qualifier is not None:
            version = machine.doc.get("_versions", {}).get(qualifier)
            if version is None:
                raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{state_machine_arn}'")
            doc.update(stateMachineArn=state_machine_arn, definition=version["definition"], roleArn=version["roleArn"],
                       revisionId=version["revisionId"], creationDate=version["creationDate"],
                       description=version["description"])
        return doc

    def update_state_machine(self, ctx: RequestContext, state_machine_arn: str, definition: str | None = None,
                             role_arn: str | None = None, logging_configuration: dict[str, Any] | None = None,
                             tracing_configuration: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        check_role(role_arn)
        if definition is not None:
            check_definition(definition)
        if role_arn is not None or definition is not None:
            current = self.machine(state_machine_arn).doc
            check_role_use(self.platform, ctx, role_arn or current["roleArn"], definition or current["definition"])
        with self.db.tx():
            machine = self.machine(state_machine_arn)
            changes = {"definition": definition, "roleArn": role_arn, "loggingConfiguration": logging_configuration,
                       "tracingConfiguration": tracing_configuration}
            machine.doc.update({k: v for k, v in changes.items() if v is not None})
            machine.doc["revisionId"] = str(uuid.uuid4())
            out = {"updateDate": self.clock.now(), "revisionId": machine.doc["revisionId"]}
            if extra.get("publish"):  # AWS: the update published as the machine's next version
                out["stateMachineVersionArn"] = self.publish(
                    machine, extra.get("version_description"))["stateMachineVersionArn"]
            self.machines.save(machine)
        return out

    def delete_state_machine(self, ctx: RequestContext, state_machine_arn: str) -> dict[str, Any]:
        if ":stateMachine:" not in state_machine_arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {state_machine_arn}'")
        with self.db.tx():
            self.machines.delete(state_machine_arn)
        return {}

    def list_state_machines(self, ctx: RequestContext, max_results: int | None = None,
                            next_token: str | None = None) -> dict[str, Any]:
        items = [{"stateMachineArn": m.arn, "name": m.name, "type": m.doc["type"],
                  "creationDate": m.doc["creationDate"]} for m in self.machines.all(ctx.account, ctx.region)]
        return page(items, "stateMachines", max_results, next_token)

    def validate_state_machine_definition(self, ctx: RequestContext, definition: str, type: str | None = None,
                                          **extra: Any) -> dict[str, Any]:
        found = validate.diagnostics(definition)
        return {"result": "FAIL" if found else "OK", "truncated": False,
                "diagnostics": [{"severity": "ERROR", "code": code, "message": text, "location": where}
                                for code, text, where in found]}
