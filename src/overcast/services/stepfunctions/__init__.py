"""AWS Step Functions (json 1.0, `AWSStepFunctions`, signing name `states`): state machines,
executions with their history, and the Amazon States Language interpreter. See docs/stepfunctions.md."""

from __future__ import annotations

from typing import Any

from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.stepfunctions.api import StepFunctionsApi

    return StepFunctionsApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.stepfunctions.runner import run_loop

    return [lambda: run_loop(platform)]


def _deliver(platform: Any, target_arn: str, payload: bytes, options: dict[str, Any]) -> Any:
    from overcast.services.stepfunctions.inbox import deliver

    return deliver(platform, target_arn, payload, options)


SPEC = ServiceSpec(name="stepfunctions", api=_api, loops=_loops, deliver=_deliver, deliver_for=("states",))
