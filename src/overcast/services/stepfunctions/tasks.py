"""Task states' resources ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html)):

- a Lambda function's ARN: invoked synchronously; the result is the function's answer
  (`LambdaFunctionScheduled/Started/Succeeded/Failed` events);
- `arn:aws:states:::lambda:invoke`: `FunctionName`, `Payload`, `Qualifier`; the result is
  `{ExecutedVersion, Payload, StatusCode, SdkHttpMetadata...}` (`TaskScheduled/Started/Succeeded`);
- `arn:aws:states:::sqs:sendMessage`, `sns:publish`, `dynamodb:getItem|putItem|updateItem|deleteItem`,
  `events:putEvents` and `aws-sdk:<service>:<action>`: that operation of overcast's service, in process;
- `.waitForTaskToken` on any of them: the call goes out with `$$.Task.Token`, then the state waits
  for SendTaskSuccess/SendTaskFailure (HeartbeatSeconds: SendTaskHeartbeat in time, or
  States.HeartbeatTimeout).

TimeoutSeconds (or TimeoutSecondsPath; AWS's default is 99999999, so none here) bounds the whole
task with States.Timeout.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from overcast.context import RequestContext
from overcast.delivery import as_role
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.services.stepfunctions import calls
from overcast.services.stepfunctions.activities import Activities
from overcast.services.stepfunctions.journal import Thread
from overcast.services.stepfunctions.models import WAKE_SIGNAL, Executions
from overcast.services.stepfunctions.paths import StatesError, select

if TYPE_CHECKING:
    from overcast.services.stepfunctions.interpreter import Run

TOKEN_SUFFIX = ".waitForTaskToken"
OPTIMIZED = {"sqs:sendMessage": ("sqs", "SendMessage"), "sns:publish": ("sns", "Publish"),
             "dynamodb:getItem": ("dynamodb", "GetItem"), "dynamodb:putItem": ("dynamodb", "PutItem"),
             "dynamodb:updateItem": ("dynamodb", "UpdateItem"), "dynamodb:deleteItem": ("dynamodb", "DeleteItem"),
             "events:putEvents": ("events", "PutEvents"), "states:startExecution": ("stepfunctions", "StartExecution")}
#: the real seconds between looks at an unanswered task token (a SendTask* call also wakes the waiter)
TOKEN_POLL = 1.0


async def run_task(run: Run, state: dict[str, Any], params: Any, thread: Thread, ctx: dict[str, Any],
                   resume: dict[str, Any] | None) -> Any:
    resource = state["Resource"]
    timeout = _seconds(state, "TimeoutSeconds", params, ctx)
    work = _dispatch(run, resource, state, params, thread, ctx, resume)
    if timeout is None:
        return await work
    try:
        return await asyncio.wait_for(work, run.clock.scaled(timeout))
    except TimeoutError:
        kind = "LambdaFunctionTimedOut" if ":function:" in resource else \
            "ActivityTimedOut" if ":activity:" in resource else "TaskTimedOut"
        details = {"error": "States.Timeout", "cause": ""}
        if kind == "TaskTimedOut":
            details = {**_names(resource), **details}
        run.event(thread, kind, details)
        raise StatesError("States.Timeout", "") from None


def _seconds(state: dict[str, Any], field: str, params: Any, ctx: dict[str, Any]) -> float | None:
    if field in state:
        return float(state[field])
    if f"{field}Path" in state:
        return float(select(state[f"{field}Path"], params, ctx, field=f"{field}Path"))
    return None


def _names(resource: str) -> dict[str, str]:
    """`resourceType` and `resource` of Task* events: `lambda`/`invoke`, `aws-sdk:sqs`/`sendMessage`..."""
    body = resource.split(":::", 1)[1]
    suffix = next((s for s in (TOKEN_SUFFIX, ".sync:2", ".sync") if body.endswith(s)), "")
    kind, _, action = body.removesuffix(suffix).rpartition(":") if suffix else body.rpartition(":")
    return {"resourceType": kind, "resource": action + suffix}


def new_token() -> str:
    return secrets.token_urlsafe(96)


async def _dispatch(run: Run, resource: str, state: dict[str, Any], params: Any, thread: Thread,
                    ctx: dict[str, Any], resume: dict[str, Any] | None) -> Any:
    if resource.startswith("arn:aws:lambda:"):
        return await _bare_lambda(run, resource, params, thread)
    if ":activity:" in resource:
        return await _activity(run, resource, state, params, thread, ctx, resume)
    if not resource.startswith("arn:aws:states:::"):
        raise StatesError("States.Runtime", f"overcast does not run the Task resource {resource}")
    names = _names(resource)
    token_task = resource.endswith(TOKEN_SUFFIX)
    if token_task and resume and resume.get("token"):
        token = resume["token"]  # the message went out before a restart: keep waiting for its answer
    else:
        if not (resume and resume.get("child")):  # a .sync child started before a restart: wait for it
            run.event(thread, "TaskScheduled", {**names, "region": run.region, "parameters": json.dumps(params)})
            run.event(thread, "TaskStarted", names)
        if token_task:
            token = ctx["Task"]["Token"]
            with run.platform.db.tx():
                run.platform.component(Executions).add_token(token, run.context["Execution"]["Id"])
        try:
            output = await _integration(run, names, params, resume)
        except StatesError as failure:
            run.event(thread, "TaskFailed", {**names, "error": failure.error, "cause": failure.cause})
            raise
        if not token_task:
            run.event(thread, "TaskSucceeded", {**names, "output": json.dumps(output),
                                                "outputDetails": {"truncated": False}})
            return output
        submitted = {**names, "output": json.dumps(output), "outputDetails": {"truncated": False}}
        if resume is not None:
            resume["token"] = token
            thread.prev = run.journal.add("TaskSubmitted", submitted, thread.prev, resume)
        else:
            run.event(thread, "TaskSubmitted", submitted)
    heartbeat = _seconds(state, "HeartbeatSeconds", params, ctx)
    outcome = await _await_token(run, token, heartbeat)
    if "error" in outcome:
        run.event(thread, "TaskFailed", {**names, "error": outcome["error"], "cause": outcome.get("cause", "")})
        raise StatesError(outcome["error"], outcome.get("cause", ""))
    run.event(thread, "TaskSucceeded", {**names, "output": outcome["output"], "outputDetails": {"truncated": False}})
    return json.loads(outcome["output"])


async def _await_token(run: Run, token: str, heartbeat: float | None) -> dict[str, Any]:
    executions = run.platform.component(Executions)
    beat = run.clock.now()
    while True:
        row = executions.token(token)
        if row is not None and row["outcome"]:
            outcome = json.loads(row["outcome"])
            if "heartbeat" not in outcome:
                with run.platform.db.tx():
                    executions.drop_token(token)
                return dict(outcome)
            beat = max(beat, float(outcome["heartbeat"]))
        if heartbeat is not None and run.clock.now() - beat > run.clock.scaled(heartbeat):
            with run.platform.db.tx():
                executions.drop_token(token)
            return {"error": "States.HeartbeatTimeout", "cause": ""}
        wait = TOKEN_POLL if heartbeat is None else min(TOKEN_POLL, max(0.01, run.clock.scaled(heartbeat) / 4))
        await run.platform.signals.wait(WAKE_SIGNAL, wait)


async def _integration(run: Run, names: dict[str, str], params: Any, resume: dict[str, Any] | None = None) -> Any:
    kind, action = names["resourceType"], names["resource"].removesuffix(TOKEN_SUFFIX)
    if kind == "states" and action in ("startExecution.sync", "startExecution.sync:2"):
        return await _start_sync(run, params, action.endswith(":2"), resume)
    if kind == "lambda" and action == "invoke":
        return await _lambda_invoke(run, params)
    if kind.startswith("aws-sdk:"):
        service = kind.split(":", 1)[1]
        return await calls.call(run.platform, run.account, run.region, service, action[:1].upper() + action[1:],
                                params if isinstance(params, dict) else {}, role=calls.role_of(run.context))
    key = f"{kind}:{action}"
    if key not in OPTIMIZED:
        raise StatesError("States.Runtime", f"overcast does not run the integration arn:aws:states:::{key}")
    service, operation = OPTIMIZED[key]
    return await calls.call(run.platform, run.account, run.region, service, operation,
                            _as_text(key, params) if isinstance(params, dict) else {}, optimized=True,
                            role=calls.role_of(run.context))


def _as_text(key: str, params: dict[str, Any]) -> dict[str, Any]:
    """AWS's optimized integrations send a JSON value where the API takes text: SQS's
    MessageBody, SNS's Message, EventBridge entries' Detail."""
    out = dict(params)
    for field in ("MessageBody", "Message") + (("Input",) if key == "states:startExecution" else ()):
        if field in out and not isinstance(out[field], str):
            out[field] = json.dumps(out[field], separators=(",", ":"))
    if key == "events:putEvents" and isinstance(out.get("Entries"), list):
        out["Entries"] = [{**e, "Detail": json.dumps(e["Detail"], separators=(",", ":"))}
                          if isinstance(e, dict) and not isinstance(e.get("Detail", ""), str) else e
                          for e in out["Entries"]]
    return out


async def _invoke(run: Run, function: str, payload: Any) -> tuple[bytes, str]:
    """Invoke a function synchronously through the engine; a failure as AWS names it: the function's
    `errorType` (cause: its error document), `Lambda.<Code>` when Lambda refused the call."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    role = calls.role_of(run.context)
    try:
        result = await run.platform.component(FrontDoorCalls).invoke(
            function, body, account=run.account, region=run.region, timeout=None, trace=run.trace_header,
            on_behalf=as_role(*role) if role else None)
    except IntegrationFailure as failure:
        if failure.kind == "function":
            try:
                document = json.loads(failure.payload)
                error = str(document.get("errorType") or "Lambda.Unknown")
            except (ValueError, AttributeError):
                error = "Lambda.Unknown"
            raise StatesError(error, failure.payload.decode(errors="replace")) from None
        if failure.kind == "throttled":
            raise StatesError("Lambda.TooManyRequestsException", failure.detail) from None
        code, _, message = failure.detail.partition(": ")
        if code == "AccessDeniedException":  # the role may not invoke it: the Java SDK's generic error
            raise StatesError("Lambda.AWSLambdaException", f"{message} (Service: AWSLambda; Status Code: 403; "
                              f"Error Code: AccessDeniedException; Request ID: {uuid.uuid4()}; Proxy: null)") from None
        raise StatesError(f"Lambda.{code}" if message else "Lambda.ServiceException", message or failure.detail) \
            from None
    return result.payload, result.request_id


async def _lambda_invoke(run: Run, params: Any) -> dict[str, Any]:
    if not isinstance(params, dict) or "FunctionName" not in params:
        raise StatesError("States.Runtime", "The field 'FunctionName' is required by arn:aws:states:::lambda:invoke")
    function = params["FunctionName"] + (f":{params['Qualifier']}" if params.get("Qualifier") else "")
    payload, request_id = await _invoke(run, function, params.get("Payload", {}))
    try:
        answer = json.loads(payload) if payload else None
    except ValueError:
        answer = payload.decode(errors="replace")
    return {"ExecutedVersion": params.get("Qualifier") or "$LATEST", "Payload": answer,
            "SdkHttpMetadata": {"HttpHeaders": {"Content-Type": "application/json", "X-Amz-Executed-Version":
                                                params.get("Qualifier") or "$LATEST",
                                                "x-amzn-RequestId": request_id},
                                "HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id}, "StatusCode": 200}


async def _bare_lambda(run: Run, resource: str, params: Any, thread: Thread) -> Any:
    run.event(thread, "LambdaFunctionScheduled", {"resource": resource, "input": json.dumps(params),
                                                  "inputDetails": {"truncated": False}})
    run.event(thread, "LambdaFunctionStarted")
    try:
        payload, _ = await _invoke(run, resource, params)
    except StatesError as failure:
        run.event(thread, "LambdaFunctionFailed", {"error": failure.error, "cause": failure.cause})
        raise
    run.event(thread, "LambdaFunctionSucceeded", {"output": payload.decode(errors="replace") or "null",
                                                  "outputDetails": {"truncated": False}})
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return payload.decode(errors="replace")


async def _activity(run: Run, resource: str, state: dict[str, Any], params: Any, thread: Thread,
                    ctx: dict[str, Any], resume: dict[str, Any] | None) -> Any:
    """Schedule a task for the activity's workers, then wait for its token's answer."""
    activities = run.platform.component(Activities)
    heartbeat = _seconds(state, "HeartbeatSeconds", params, ctx)
    if resume and resume.get("token"):
        token = resume["token"]
    else:
        if activities.find(resource) is None:
            cause = f"Activity does not exist: {resource}"
            run.event(thread, "ActivityScheduleFailed", {"error": "States.Runtime", "cause": cause})
            raise StatesError("States.Runtime", cause)
        token = new_token()
        details: dict[str, Any] = {"resource": resource, "input": json.dumps(params),
                                   "inputDetails": {"truncated": False},
                   **({"timeoutInSeconds": int(state["TimeoutSeconds"])} if "TimeoutSeconds" in state else {}),
                   **({"heartbeatInSeconds": int(heartbeat)} if heartbeat is not None else {})}
        if resume is not None:
            resume["token"] = token
        with run.platform.db.tx():
            activities.schedule(resource, token, params)
            run.platform.component(Executions).add_token(token, run.context["Execution"]["Id"])
            thread.prev = run.journal.add("ActivityScheduled", details, thread.prev, resume)
        run.platform.signals.notify(WAKE_SIGNAL)
    outcome = await _await_token(run, token, heartbeat)
    worker = activities.worker(token)
    with run.platform.db.tx():
        activities.done(token)
    run.event(thread, "ActivityStarted", {"workerName": worker or ""})
    if "error" in outcome:
        run.event(thread, "ActivityFailed", {"error": outcome["error"], "cause": outcome.get("cause", "")})
        raise StatesError(outcome["error"], outcome.get("cause", ""))
    run.event(thread, "ActivitySucceeded", {"output": outcome["output"], "outputDetails": {"truncated": False}})
    return json.loads(outcome["output"])


#: real seconds between looks at a nested execution run with `startExecution.sync`
CHILD_POLL = 0.05


async def _start_sync(run: Run, params: Any, parsed: bool, resume: dict[str, Any] | None = None) -> Any:
    """`states:startExecution.sync` (`:2`): start the child and wait for its end; the result is its
    description (`Output` as text, or parsed for `.sync:2`); a child that did not succeed fails the
    task with `States.TaskFailed` and its description as the cause
    ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html)).
    The child's ARN is part of the checkpoint: after a restart the task waits for the same child."""
    arn = (resume or {}).get("child")
    if not arn:
        started = await calls.call(run.platform, run.account, run.region, "stepfunctions", "StartExecution",
                                   _as_text("states:startExecution", params if isinstance(params, dict) else {}),
                                   optimized=True, role=calls.role_of(run.context))
        arn = started["ExecutionArn"]
        if resume is not None:
            resume["child"] = arn
            run.journal.checkpoint(resume)
    # Step Functions follows the child with the machine's role: `states:DescribeExecution` on it
    # (refused: the task fails as the call's refusal, the child runs on)
    await calls.call(run.platform, run.account, run.region, "stepfunctions", "DescribeExecution",
                     {"executionArn": arn}, optimized=True, role=calls.role_of(run.context))
    executions = run.platform.component(Executions)
    try:
        while True:
            child = executions.find(arn)
            if child is not None and child.status != "RUNNING":
                break
            await run.platform.signals.wait(WAKE_SIGNAL, CHILD_POLL)
    except asyncio.CancelledError:
        _stop_child(run, arn)
        raise
    doc = child.doc
    result: dict[str, Any] = {key[:1].upper() + key[1:]: value for key, value in doc.items()
                              if key in ("executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate",
                                         "input", "output", "error", "cause", "redriveCount")}
    for key in ("Input", "Output"):
        if parsed and isinstance(result.get(key), str):
            result[key] = json.loads(result[key])
    if child.status != "SUCCEEDED":
        raise StatesError("States.TaskFailed", json.dumps(result))
    return result


def _stop_child(run: Run, arn: str) -> None:
    """A parent stopped (`StopExecution`) while it waits for a `.sync` child stops the child too,
    with the machine's role: `states:StopExecution` on the child, as AWS's policy for the role asks
    ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html)); refused,
    the child runs on. Any other cancellation (the server closing) leaves the child alone."""
    parent = run.platform.component(Executions).find(str((run.context.get("Execution") or {}).get("Id", "")))
    child = run.platform.component(Executions).find(arn)
    if parent is None or parent.status != "ABORTED" or child is None or child.status != "RUNNING":
        return
    role = calls.role_of(run.context)
    if role is not None and run.platform.iam is not None \
            and run.platform.iam.refusal_as_role(role[0], role[1], "states:StopExecution", arn) is not None:
        return
    gateway = run.platform.gateway
    if gateway is not None:
        ctx = RequestContext(account=run.account, region=run.region, service="stepfunctions",
                             operation="StopExecution", endpoint=run.platform.config.endpoint)
        gateway.api("stepfunctions").stop_execution(ctx, execution_arn=arn)
