"""Building and checking a function's configuration, as CreateFunction and
UpdateFunctionConfiguration do."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_ import runtimes
from overcast.services.lambda_.catalogue import error

#: Runtimes overcast runs on its own interpreter: every Python runtime (the deprecated ones only in legacy mode).
PYTHON_RUNTIMES = frozenset(name for name, r in runtimes.CATALOGUE.items() if r.family == "python")
_RUNTIME_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]*:\d{12}:runtime:.+$")

RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})

_VAR_NAME = re.compile(r"[a-zA-Z]([a-zA-Z0-9_])+")
MAX_NAME = 64
#: the request sizes AWS quotes when refusing an oversized upload, before any other check
REQUEST_LIMITS = {"CreateFunction": 70_167_211, "UpdateFunctionCode": 69_905_067}
MAX_TIMEOUT = 900
MAX_MEMORY = 10240
VARIABLES_LIMIT = 4096


def check_runtime(runtime: str | None, today: dt.date, *, legacy: bool = False, updating: bool = False) -> None:
    """A runtime CreateFunction (or, with `updating`, UpdateFunctionConfiguration) accepts on `today`: one of the
    API's enum, not past its block date in AWS's deprecation table, unless `legacy` (OVERCAST_LEGACY_RUNTIMES)."""
    if runtime is None:
        return
    if not runtimes.is_known(runtime) and not _RUNTIME_ARN.match(runtime):
        raise error("invalid_runtime", runtime=runtime, allowed=", ".join(runtimes.api_enum()))
    entry = runtimes.lookup(runtime)
    if entry is None or legacy:
        return
    if entry.blocks_update(today) if updating else entry.blocks_create(today):
        raise error("deprecated_runtime", runtime=runtime)


def check_request_size(ctx: RequestContext, operation: str) -> None:
    """An upload request over AWS's size for `operation` is refused (413) before anything else is checked."""
    limit = REQUEST_LIMITS[operation]
    body = ctx.request.body if ctx.request is not None else b""
    if isinstance(body, bytes | bytearray) and len(body) > limit:
        raise error("request_too_large", limit=limit, operation=operation)


def check_function_name(name: str) -> None:
    """A function's own name is at most 64 characters (the model's 140 is for a full ARN)."""
    if len(name) > MAX_NAME:
        raise error("name_too_long", name=name, limit=MAX_NAME)


def logging_config(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """LoggingConfig as AWS stores it: JSON logs get INFO application and system levels unless set;
    text logs carry no levels."""
    config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}", **given}
    if config["LogFormat"] == "JSON":
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def snap_start(given: dict[str, Any] | None) -> dict[str, Any]:
    """SnapStart as reported on $LATEST: ApplyOn as given, optimization Off until a version is published."""
    return {"ApplyOn": (given or {}).get("ApplyOn") or "None", "OptimizationStatus": "Off"}


def check_compatible_runtimes(names: list[str] | None) -> None:
    """PublishLayerVersion's CompatibleRuntimes: each one of the API's enum."""
    for index, name in enumerate(names or [], 1):
        if not runtimes.is_known(name):
            raise error("compatible_runtime", runtime=name, index=index, allowed=", ".join(runtimes.api_enum()))


def check_limits(timeout: int | None, memory: int | None) -> None:
    if timeout is not None and timeout > MAX_TIMEOUT:
        raise error("value_too_large", value=timeout, member="timeout", limit=MAX_TIMEOUT)
    if memory is not None and memory > MAX_MEMORY:
        raise error("value_too_large", value=memory, member="memorySize", limit=MAX_MEMORY)


def check_variables(variables: dict[str, str]) -> None:
    reserved = sorted(k for k in variables if k in RESERVED_VARIABLES)
    if reserved:
        raise error("reserved_variables", keys=", ".join(reserved))
    for key in variables:
        if not _VAR_NAME.fullmatch(key):
            raise error("variable_name")
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > VARIABLES_LIMIT:
        raise error("variables_too_large", measured=measured)


def check_dead_letter(dlc: dict[str, Any] | None) -> None:
    target = (dlc or {}).get("TargetArn")
    if target and not re.match(r"^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$", target):
        raise error("dead_letter_arn", arn=target)


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
        "SnapStart": snap_start(params.get("snap_start")),
        "LoggingConfig": logging_config(name, params.get("logging_config") or {}),
        # Lambda Managed Instances: the capacity provider the function's versions run on, as given
        "CapacityProviderConfig": params.get("capacity_provider_config"),
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
    if params.get("durable_config") is not None:  # durable functions (docs/durable-functions.md)
        # an update's configuration already names the function; a new one does not yet
        config["DurableConfig"] = durable_config(params["durable_config"], config.get("DurableConfig"),
                                                 updating="FunctionName" in config)


def durable_config(given: dict[str, Any], current: dict[str, Any] | None, *, updating: bool) -> dict[str, Any]:
    """DurableConfig as stored. AWS enables durable execution only when a function is created, with
    an ExecutionTimeout; RetentionPeriodInDays defaults to 14 days; an update changes what it names."""
    from overcast.services.lambda_.catalogue import error as durable_error

    if updating and current is None:
        raise durable_error("durable_on_update")
    merged = {"RetentionPeriodInDays": 14, **(current or {}), **{k: v for k, v in given.items() if v is not None}}
    if not merged.get("ExecutionTimeout"):
        raise durable_error("durable_timeout_required")
    return merged
