"""Building and checking a function's configuration, as CreateFunction and
UpdateFunctionConfiguration do."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from overcast.services.lambda_.errors import InvalidParameterValue

#: Runtimes overcast runs: every supported Python runtime maps to the interpreter overcast runs on.
PYTHON_RUNTIMES = frozenset({"python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"})
#: Runtimes AWS has retired for creating or updating functions.
DEPRECATED_RUNTIMES = {
    "python2.7": "python3.12", "python3.6": "python3.12", "python3.7": "python3.12", "python3.8": "python3.12",
    "nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs4.3-edge": "nodejs22.x", "nodejs6.10": "nodejs22.x",
    "nodejs8.10": "nodejs22.x", "nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x",
    "nodejs16.x": "nodejs22.x", "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8",
    "dotnetcore3.1": "dotnet8", "ruby2.5": "ruby3.3", "ruby2.7": "ruby3.3", "java8": "java21", "go1.x": "provided.al2023",
}

RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})

_VAR_NAME = re.compile(r"[a-zA-Z]([a-zA-Z0-9_])+")
MAX_TIMEOUT = 900
MAX_MEMORY = 10240
VARIABLES_LIMIT = 4096


def _validation(message: str) -> InvalidParameterValue:
    error = InvalidParameterValue(f"1 validation error detected: {message}")
    error.code = "ValidationException"  # type: ignore[misc]
    return error


def check_runtime(runtime: str | None) -> None:
    if runtime in DEPRECATED_RUNTIMES:
        raise InvalidParameterValue(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            f"functions. We recommend you use the new runtime ({DEPRECATED_RUNTIMES[runtime]}) while creating or "
            "updating functions.")


def check_limits(timeout: int | None, memory: int | None) -> None:
    if timeout is not None and timeout > MAX_TIMEOUT:
        raise _validation(f"Value '{timeout}' at 'timeout' failed to satisfy constraint: Member must have value "
                          f"less than or equal to {MAX_TIMEOUT}")
    if memory is not None and memory > MAX_MEMORY:
        raise _validation(f"Value '{memory}' at 'memorySize' failed to satisfy constraint: Member must have value "
                          f"less than or equal to {MAX_MEMORY}")


def check_variables(variables: dict[str, str]) -> None:
    reserved = sorted(k for k in variables if k in RESERVED_VARIABLES)
    if reserved:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. Reserved "
            f"keys used in this request: {', '.join(reserved)}")
    for key in variables:
        if not _VAR_NAME.fullmatch(key):
            raise _validation("Value at 'environment.variables' failed to satisfy constraint: Map keys must "
                              "satisfy constraint: [Member must satisfy regular expression pattern: "
                              "[a-zA-Z]([a-zA-Z0-9_])+]")
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > VARIABLES_LIMIT:
        raise InvalidParameterValue(
            "Lambda was unable to configure your environment variables because the environment variables you "
            f"have provided exceeded the 4KB limit. String measured: {measured}")


def check_dead_letter(dlc: dict[str, Any] | None) -> None:
    target = (dlc or {}).get("TargetArn")
    if target and not re.match(r"^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$", target):
        raise InvalidParameterValue(f"The provided target arn {target} is invalid. Please check the ARN format "
                                    "(SQS or SNS).")


def base_configuration(name: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """The FunctionConfiguration of a new function from CreateFunction's parameters."""
    config: dict[str, Any] = {
        "Runtime": params.get("runtime"),
        "Role": params["role"],
        "Handler": params.get("handler"),
        "Description": params.get("description") or "",
        "Timeout": params.get("timeout") or 3,
        "MemorySize": params.get("memory_size") or 128,
        "TracingConfig": params.get("tracing_config") or {"Mode": "PassThrough"},
        "PackageType": params.get("package_type") or "Zip",
        "Architectures": params.get("architectures") or ["x86_64"],
        "EphemeralStorage": params.get("ephemeral_storage") or {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}",
                          **(params.get("logging_config") or {})},
    }
    if config["Runtime"]:
        config["RuntimeVersionConfig"] = {
            "RuntimeVersionArn": f"arn:aws:lambda:{region}::runtime:"
                                 f"{hashlib.sha256(config['Runtime'].encode()).hexdigest()}"}
    apply_optional(config, params)
    return {k: v for k, v in config.items() if v is not None}


def apply_optional(config: dict[str, Any], params: dict[str, Any]) -> None:
    """Settings shared by CreateFunction and UpdateFunctionConfiguration."""
    if params.get("environment") is not None:
        variables = params["environment"].get("Variables") or {}
        check_variables(variables)
        config["Environment"] = {"Variables": variables}
    if params.get("dead_letter_config") is not None:
        check_dead_letter(params["dead_letter_config"])
        if params["dead_letter_config"].get("TargetArn"):
            config["DeadLetterConfig"] = {"TargetArn": params["dead_letter_config"]["TargetArn"]}
        else:
            config.pop("DeadLetterConfig", None)
    if params.get("kms_key_arn"):
        config["KMSKeyArn"] = params["kms_key_arn"]
    if params.get("vpc_config") is not None:
        vpc = params["vpc_config"]
        config["VpcConfig"] = {"SubnetIds": vpc.get("SubnetIds", []), "SecurityGroupIds": vpc.get("SecurityGroupIds", []),
                               "VpcId": "vpc-00000000" if vpc.get("SubnetIds") else ""}
    if params.get("file_system_configs") is not None:
        config["FileSystemConfigs"] = params["file_system_configs"]
