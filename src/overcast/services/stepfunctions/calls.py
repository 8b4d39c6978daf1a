"""Service integrations' calls, in process: an operation of another overcast service with its
input as Step Functions passes it (members by their model names in PascalCase, JSON values),
answered with its output as JSON (members in PascalCase, timestamps as epoch seconds, blobs as
base64), through the service's own method just as the gateway would call it, never over HTTP."""

from __future__ import annotations

import hashlib
import inspect
import string
import uuid
from typing import Any

from botocore.model import Shape

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.protocol.inprocess import arguments, output
from overcast.protocol.values import snake
from overcast.services.stepfunctions.paths import StatesError

#: the AWS SDK's service names in `arn:aws:states:::aws-sdk:<service>:<action>`, where they are not overcast's
SDK_NAMES = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs", "lambda": "lambda",
             "apigatewayv2": "apigatewayv2", "dynamodbstreams": "dynamodbstreams"}
#: how error names start, by service (AWS: `DynamoDB.ConditionalCheckFailedException`, `SQS...`)
ERROR_PREFIX = {"dynamodb": "DynamoDB", "sqs": "SQS", "sns": "SNS", "events": "EventBridge", "lambda": "Lambda",
                "stepfunctions": "Sfn", "s3": "S3"}


#: the service names an optimized integration's error cause gives (AWS calls them with the AWS SDK
#: for Java 1.x: `<message> (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ...; Request ID: ...; Proxy: null)`)
JAVA_V1_NAMES = {"dynamodb": "AmazonDynamoDBv2", "sqs": "AmazonSQS", "sns": "AmazonSNS", "events": "AmazonEventBridge",
                 "stepfunctions": "AWSStepFunctions", "lambda": "AWSLambda"}

#: the services' own AccessDenied codes (docs/iam.md), which no SDK models as an exception of its own
DENIALS = ("AccessDenied", "AccessDeniedException", "AuthorizationError")
#: the generic exception of each service's client in the AWS SDK for Java 1.x (optimized integrations:
#: `Lambda.AWSLambdaException`) and 2.x (AWS SDK integrations: `S3.S3Exception`)
JAVA_V1_EXCEPTIONS = {"dynamodb": "AmazonDynamoDBException", "sqs": "AmazonSQSException", "sns": "AmazonSNSException",
                      "events": "AmazonEventBridgeException", "stepfunctions": "AWSStepFunctionsException",
                      "lambda": "AWSLambdaException"}
SDK_V2_EXCEPTIONS = {"dynamodb": "DynamoDbException", "sqs": "SqsException", "sns": "SnsException",
                     "events": "EventBridgeException", "stepfunctions": "SfnException", "lambda": "LambdaException",
                     "s3": "S3Exception", "kinesis": "KinesisException", "logs": "CloudWatchLogsException",
                     "secretsmanager": "SecretsManagerException", "ssm": "SsmException"}


def role_of(context: dict[str, Any]) -> tuple[str, str] | None:
    """An execution's role (its context object's `Execution.RoleArn`) and the session Step Functions
    calls with (AWS names one of its own, 32 letters, per execution); None without a role."""
    execution = context.get("Execution") or {}
    if not execution.get("RoleArn"):
        return None
    digest = hashlib.sha256(str(execution.get("Id", "")).encode()).digest()
    return execution["RoleArn"], "".join(string.ascii_letters[b % 52] for b in digest[:32])


async def call(platform: Platform, account: str, region: str, service: str, operation: str,
               params: dict[str, Any], optimized: bool = False, role: tuple[str, str] | None = None) -> Any:
    """Run `service`'s `operation` (CamelCase) with JSON `params`; its JSON output. A failure
    raises StatesError `<Service>.<ErrorCode>` with the service's message as the cause, worded
    as AWS words it for an optimized integration (`optimized`) or an AWS SDK integration.
    `role` (`(role ARN, session name)`): the state machine's role, which the call is made with
    (checked as that role's session when IAM is evaluated, docs/iam.md)."""
    gateway = platform.gateway
    name = SDK_NAMES.get(service, service)
    if gateway is None or name not in gateway.specs:
        raise StatesError("States.Runtime", f"overcast does not host the service {service!r}")
    spec = gateway.specs[name]
    model = service_model(spec.model_name)
    if operation not in model.operation_names:
        raise StatesError("States.Runtime", f"The service {service} has no operation {operation}")
    op = model.operation_model(operation)
    prefix = ERROR_PREFIX.get(name, name[:1].upper() + name[1:])
    ctx = RequestContext(account=account, region=region, service=name, operation=operation,
                         endpoint=platform.config.endpoint)
    method = getattr(gateway.api(name), snake(operation), None)
    if method is None:
        raise StatesError(f"{prefix}.NotImplemented", f"overcast does not implement {service}:{operation} yet")
    try:
        named = _named(op.input_shape, params)
        if role is not None and platform.iam is not None:
            platform.iam.check_as_role(role[0], role[1], model, op, named, ctx)
        kwargs = arguments(op.input_shape, named, spec.options) if op.input_shape is not None else {}
        result = method(ctx, **kwargs)
        if inspect.isawaitable(result):
            result = await result
    except ServiceError as error:
        code = error.code if error.code.endswith("Exception") else f"{error.code}Exception"
        if error.code in DENIALS:  # an error the SDK does not model: its service's generic exception
            code = (JAVA_V1_EXCEPTIONS if optimized else SDK_V2_EXCEPTIONS).get(name, f"{prefix}Exception")
        request = str(uuid.uuid4())
        if optimized:
            cause = (f"{error.message} (Service: {JAVA_V1_NAMES.get(name, prefix)}; Status Code: {error.status}; "
                     f"Error Code: {error.code}; Request ID: {request}; Proxy: null)")
        else:
            cause = f"{error.message} (Service: {prefix}, Status Code: {error.status}, Request ID: {request})"
        raise StatesError(f"{prefix}.{code}", cause) from None
    if op.output_shape is None:
        return {}
    return output(op.output_shape, await _read_streams(dict(result or {})), _pascal)


async def _read_streams(result: dict[str, Any]) -> dict[str, Any]:
    """A streaming member (S3 GetObject's Body) read whole: Step Functions passes it as a value."""
    for name, value in result.items():
        if hasattr(value, "__aiter__"):
            result[name] = b"".join([bytes(chunk) async for chunk in value])
        elif not isinstance(value, bytes | bytearray | str | dict | list) and hasattr(value, "read"):
            result[name] = value.read()
    return result


def _named(shape: Shape | None, params: dict[str, Any]) -> dict[str, Any]:
    """`params` with members by their model names: Step Functions names every member in PascalCase
    (`StateMachineArn`), whatever the model's case."""
    if shape is None:
        return {}
    by_lower = {name.lower(): name for name in shape.members}
    return {by_lower.get(key.lower(), key): value for key, value in params.items()}


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]
