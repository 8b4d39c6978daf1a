"""User pool Lambda triggers, invoked synchronously with AWS's event
([Customizing user pool workflows with Lambda triggers](https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html)):
`{version, triggerSource, region, userPoolId, userName, callerContext, request, response}`; the
function returns the event with `response` filled in.

A function that raises fails the operation with UserLambdaValidationException
`"{Trigger} failed with error {errorMessage}."`; one that cannot be called, or does not answer in
time, with UnexpectedLambdaException. AWS gives a trigger 5 seconds and retries it up to three
times; overcast waits once for 15 seconds (real time, like function timeouts).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.delivery import as_service
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.platform import Platform
from overcast.services.cognito_idp.errors import InvalidLambdaResponse, UnexpectedLambda, UserLambdaValidation

log = logging.getLogger("overcast.cognito")

TRIGGER_TIMEOUT = 15.0

def function_for(pool: dict[str, Any], trigger: str) -> tuple[str | None, str]:
    """(function ARN, version) configured for `trigger`; PreTokenGeneration reads
    PreTokenGenerationConfig (V1_0, V2_0, V3_0) before the older PreTokenGeneration key."""
    config = pool.get("LambdaConfig") or {}
    if trigger == "PreTokenGeneration":
        v2 = config.get("PreTokenGenerationConfig") or {}
        if v2.get("LambdaArn"):
            return v2["LambdaArn"], v2.get("LambdaVersion", "V1_0")
    value = config.get(trigger)
    if isinstance(value, dict):  # CustomEmailSender, CustomSMSSender: {LambdaArn, LambdaVersion}
        return value.get("LambdaArn"), value.get("LambdaVersion", "V1_0")
    return value, "V1_0"


async def call(platform: Platform, pool: dict[str, Any], account: str, trigger: str, source: str,
               username: str, client_id: str | None, request: dict[str, Any],
               response: dict[str, Any] | None = None, version: str = "1") -> dict[str, Any] | None:
    """Invoke the pool's `trigger` (a LambdaConfig key) with `source` (its triggerSource); the
    function's `response` object, or None when no function is configured."""
    arn, _ = function_for(pool, trigger)
    if not arn:
        return None
    region = pool["Id"].split("_", 1)[0]
    event = {"version": version, "triggerSource": source, "region": region, "userPoolId": pool["Id"],
             "userName": username,
             "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
             "request": request, "response": response if response is not None else {}}
    label = trigger  # AWS's messages name the trigger by its LambdaConfig key
    # Cognito invokes as `cognito-idp.amazonaws.com` for the pool: the function's policy must allow it
    # (docs/iam.md); a refusal is "<Trigger> invocation failed due to error AccessDeniedException."
    pool_arn = pool.get("Arn") or f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool['Id']}"
    on_behalf = None if platform.config.iam == "off" else as_service("cognito-idp.amazonaws.com", pool_arn, account)
    try:
        result = await platform.component(FrontDoorCalls).invoke(arn, event, account=account, region=region,
                                                                 timeout=TRIGGER_TIMEOUT, on_behalf=on_behalf)
    except IntegrationFailure as failure:
        if failure.kind == "function":
            try:
                message = json.loads(failure.payload).get("errorMessage")
            except (ValueError, AttributeError):
                message = None
            if message is None:
                raise UnexpectedLambda(f"{label} invocation failed due to error Unhandled.") from None
            raise UserLambdaValidation(f"{label} failed with error {message}.") from None
        log.warning("cognito trigger %s (%s) failed: %s", trigger, arn, failure.detail)
        kind = "AccessDeniedException" if failure.detail.startswith("AccessDeniedException: ") else failure.kind
        raise UnexpectedLambda(f"{label} invocation failed due to error {kind}.") from None
    try:
        answer = json.loads(result.payload)
    except ValueError:
        raise InvalidLambdaResponse(f"Unrecognizable lambda output for {label}") from None
    if not isinstance(answer, dict):
        raise InvalidLambdaResponse(f"Unrecognizable lambda output for {label}")
    reply = answer.get("response")
    return reply if isinstance(reply, dict) else {}
