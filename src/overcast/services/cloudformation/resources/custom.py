"""Custom resources (AWS::CloudFormation::CustomResource and Custom::*): CloudFormation sends the
resource's request to its ServiceToken — a Lambda function, invoked asynchronously, or an SNS
topic — with a pre-signed ResponseURL, and waits for the handler to PUT its answer there.

The ResponseURL is served by overcast on its own port (`/_overcast/cloudformation/responses/...`,
see `respond`). AWS waits an hour for the answer (or the resource's ServiceTimeout); that timer runs
on the platform clock.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.platform import Platform
from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider

RESPONSE_PREFIX = "/_overcast/cloudformation/responses/"
DEFAULT_TIMEOUT = 3600.0
STABILIZE_FAILURE = ("CloudFormation did not receive a response from your Custom Resource. Please check your "
                     "logs for requestId [{request_id}]. If you are using the Python cfn-response module, you may "
                     "need to update your Lambda function code so that CloudFormation can attach the updated "
                     "version.")


def _signal(token: str) -> str:
    return f"cloudformation:custom:{token}"


def _strings(value: Any) -> Any:
    """CloudFormation hands custom resources every property value as a string."""
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def response_base(platform: Platform) -> str:
    """The address handlers PUT to: the loopback address overcast listens on."""
    config = platform.config
    host = config.host if config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.port}"


class CustomResourceProvider(Provider):
    """Ref is the PhysicalResourceId the handler answered; GetAtt reads its `Data`."""

    types = ("AWS::CloudFormation::CustomResource",)
    replace = frozenset({"ServiceToken"})

    async def create(self, d: Deployment) -> Outcome:
        answer = await self._request(d, "Create")
        physical = answer.get("PhysicalResourceId")
        if not physical:
            raise ResourceFailure("Invalid PhysicalResourceId")
        return Outcome(str(physical), dict(answer.get("Data") or {}))

    async def update(self, d: Deployment) -> Outcome:
        answer = await self._request(d, "Update")
        physical = answer.get("PhysicalResourceId") or d.physical_id
        return Outcome(str(physical), dict(answer.get("Data") or {}))

    async def delete(self, d: Deployment) -> None:
        await self._request(d, "Delete")

    async def _request(self, d: Deployment, kind: str) -> dict[str, Any]:
        token_arn = str(d.properties.get("ServiceToken") or "")
        if not token_arn:
            raise ResourceFailure("Property ServiceToken cannot be empty.")
        token = secrets.token_urlsafe(24)
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": kind, "ServiceToken": token_arn, "ResponseURL": self._url(d, token),
            "StackId": d.stack_id, "RequestId": request_id, "LogicalResourceId": d.logical_id,
            "ResourceType": d.resource_type, "ResourceProperties": _strings(d.properties),
        }
        if kind != "Create":
            event["PhysicalResourceId"] = d.physical_id
        if kind == "Update":
            event["OldResourceProperties"] = _strings(d.old_properties)
        d.platform.db.execute("INSERT INTO cfn_custom_responses(token, stack_id, logical_id) VALUES (?, ?, ?)",
                              (token, d.stack_id, d.logical_id))
        try:
            await self._send(d, token_arn, json.dumps(event).encode())
            answer = await self._wait(d, token, request_id)
        finally:
            d.platform.db.execute("DELETE FROM cfn_custom_responses WHERE token = ?", (token,))
        if answer.get("Status") != "SUCCESS":
            reason = answer.get("Reason") or "Unknown"
            raise ResourceFailure(f"Received response status [FAILED] from custom resource. Message returned: "
                                  f"{reason} (RequestId: {request_id})")
        return answer

    def _url(self, d: Deployment, token: str) -> str:
        # Shaped like S3's pre-signed URL (the handler just PUTs to it, as on AWS)
        key = f"{d.stack_id}|{d.logical_id}|{token}"
        from urllib.parse import quote

        return (f"{response_base(d.platform)}{RESPONSE_PREFIX}{token}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                f"&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Key={quote(key, safe='')}")

    async def _send(self, d: Deployment, target: str, payload: bytes) -> None:
        service = target.split(":")[2] if target.startswith("arn:") and target.count(":") >= 5 else ""
        if service == "sns":
            await d.call("sns", "Publish", {"TopicArn": target, "Message": payload.decode()})
            return
        if service != "lambda":
            raise ResourceFailure(f"Invalid service token: {target}")
        try:  # through Lambda's public Invoke, as CloudFormation does on AWS (asynchronously)
            await d.call("lambda", "Invoke", {"FunctionName": target, "InvocationType": "Event", "Payload": payload})
        except ResourceFailure as failure:
            raise ResourceFailure(f"Failed to invoke the custom resource's function {target}: {failure.reason}") \
                from None

    async def _wait(self, d: Deployment, token: str, request_id: str) -> dict[str, Any]:
        timeout = float(d.properties.get("ServiceTimeout") or DEFAULT_TIMEOUT)
        clock = d.platform.clock
        deadline = clock.monotonic() + clock.scaled(timeout)
        while True:
            row = d.platform.db.query_one("SELECT response FROM cfn_custom_responses WHERE token = ?", (token,))
            if row is not None and row["response"] is not None:
                return json.loads(row["response"])  # type: ignore[no-any-return]
            left = deadline - clock.monotonic()
            if left <= 0:
                raise ResourceFailure(STABILIZE_FAILURE.format(request_id=request_id))
            await d.platform.signals.wait(_signal(token), min(left, 30.0))


def matches(req: Request) -> bool:
    return req.raw_path.startswith(RESPONSE_PREFIX)


async def respond(platform: Platform, req: Request) -> Response:
    """The pre-signed ResponseURL: a handler PUTs its JSON answer here."""
    token = req.raw_path[len(RESPONSE_PREFIX):].split("?", 1)[0]
    row = platform.db.query_one("SELECT response FROM cfn_custom_responses WHERE token = ?", (token,))
    if req.method != "PUT" or row is None:
        return _s3_error(403, "AccessDenied", "Access Denied")
    try:
        answer = json.loads(req.body or b"{}")
        if not isinstance(answer, dict) or answer.get("Status") not in ("SUCCESS", "FAILED"):
            raise ValueError("Status")
    except ValueError:
        answer = {"Status": "FAILED", "Reason": "Invalid response object: the custom resource answered "
                                                "something that is not a SUCCESS or FAILED JSON object"}
    platform.db.execute("UPDATE cfn_custom_responses SET response = ? WHERE token = ?", (json.dumps(answer), token))
    platform.signals.notify(_signal(token))
    return Response(200, [("Content-Length", "0"), ("ETag", f'"{uuid.uuid4().hex}"')], b"")


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(status, [("Content-Type", "application/xml")], body.encode())


PROVIDERS = [CustomResourceProvider()]
