"""Runtimes at CreateFunction and UpdateFunctionConfiguration, as AWS answers them today: a deprecated
runtime refused (unless the server runs with OVERCAST_LEGACY_RUNTIMES=1, which runs it on the
nearest supported runtime and says so in the function's log), an unknown one refused with the enum,
and one overcast cannot run created but refused at Invoke."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_settled, wait_until, zip_handler

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "import sys\ndef handler(event, context):\n    return {'echo': event, 'python': sys.version_info[0]}\n"
NO_LONGER = ("The runtime parameter of {} is no longer supported for creating or updating AWS Lambda functions. "
             "We recommend you use a supported runtime while creating or updating functions.")


def _name() -> str:
    return f"rt-{uuid.uuid4().hex[:10]}"


def _create(lam, runtime: str, name: str | None = None) -> str:
    name = name or _name()
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_handler(SOURCE)})
    wait_settled(lam, name)  # Lambda takes one change at a time
    return name


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.fixture(scope="module")
def legacy_server() -> Iterator[OvercastServer]:
    with OvercastServer(env={"OVERCAST_LEGACY_RUNTIMES": "1"}) as server:
        yield server


@pytest.mark.parametrize("runtime", ["nodejs14.x", "nodejs16.x", "python3.8"])
def test_deprecated_runtime_is_refused_at_create(overcast_server, runtime):
    lam = overcast_server.client("lambda")
    with pytest.raises(ClientError) as info:
        _create(lam, runtime)
    assert _error(info) == ("InvalidParameterValueException", 400, NO_LONGER.format(runtime))


def test_deprecated_runtime_is_refused_at_update(overcast_server):
    lam = overcast_server.client("lambda")
    name = _create(lam, "python3.12")
    with pytest.raises(ClientError) as info:
        lam.update_function_configuration(FunctionName=name, Runtime="python3.7")
    assert _error(info) == ("InvalidParameterValueException", 400, NO_LONGER.format("python3.7"))
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"


@pytest.mark.parametrize("runtime", ["nodejs99.x", "python3", "cobol"])
def test_unknown_runtime_is_refused_at_create(overcast_server, runtime):
    lam = overcast_server.client("lambda", validate=False)
    with pytest.raises(ClientError) as info:
        _create(lam, runtime)
    code, status, message = _error(info)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith(f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy "
                              "enum value set: [nodejs, ")
    assert message.endswith("] or be a valid ARN")
    for known in ("nodejs22.x", "python3.12", "provided.al2023", "java21"):
        assert f" {known}," in message


def test_runtime_overcast_cannot_run_is_created_and_refused_at_invoke(overcast_server):
    lam = overcast_server.client("lambda")
    name = _create(lam, "java21")
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "java21"
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, Payload=b"{}")
    code, status, message = _error(info)
    assert (code, status) == ("InvalidRuntimeException", 502)
    assert "java21" in message and "Python" in message


def test_legacy_mode_runs_a_deprecated_python_runtime_and_says_so(legacy_server):
    lam = legacy_server.client("lambda")
    logs = legacy_server.client("logs")
    name = _create(lam, "python3.8")
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.8"
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"k": "v"}).encode())
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"echo": {"k": "v"}, "python": 3}
    note = "overcast: python3.8 is deprecated on AWS; running it on python3.12"

    def messages() -> list[str]:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        return [e["message"].rstrip("\n") for e in events]

    def reported() -> list[str] | None:
        found = messages()
        return found if any(m.startswith("REPORT") for m in found) else None

    lines = wait_until(reported)
    assert note in lines
    assert lines.index(note) < next(i for i, m in enumerate(lines) if m.startswith("START"))
    # one warning per environment, not per invocation
    lam.invoke(FunctionName=name, Payload=b"{}")
    wait_until(lambda: sum(m.startswith("REPORT") for m in messages()) == 2)
    assert messages().count(note) == 1


def test_legacy_mode_accepts_deprecated_runtimes_at_update(legacy_server):
    lam = legacy_server.client("lambda")
    name = _create(lam, "python3.12")
    lam.update_function_configuration(FunctionName=name, Runtime="nodejs14.x")
    wait_until(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
    assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "nodejs14.x"


def test_legacy_mode_still_refuses_an_unknown_runtime(legacy_server):
    lam = legacy_server.client("lambda", validate=False)
    with pytest.raises(ClientError) as info:
        _create(lam, "nodejs99.x")
    assert _error(info)[0] == "InvalidParameterValueException"


def test_layer_compatible_runtimes_must_be_known(overcast_server):
    lam = overcast_server.client("lambda", validate=False)
    with pytest.raises(ClientError) as info:
        lam.publish_layer_version(LayerName=_name(), CompatibleRuntimes=["python3.12", "python9.9"],
                                  Content={"ZipFile": zip_handler(SOURCE)})
    code, status, message = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'python9.9' at 'compatibleRuntimes.2' failed to "
                              "satisfy constraint: Member must satisfy enum value set: [nodejs, ")
    published = lam.publish_layer_version(LayerName=_name(), CompatibleRuntimes=["nodejs14.x"],
                                          Content={"ZipFile": zip_handler(SOURCE)})
    assert published["CompatibleRuntimes"] == ["nodejs14.x"]  # a deprecated runtime is still a runtime


def test_a_deprecated_function_keeps_running_and_can_only_move_to_a_supported_runtime(tmp_path):
    """Created in legacy mode, then served without it: Invoke works, as on AWS for existing functions; updates
    are refused past the runtime's block-update date, except the one that moves it to a supported runtime."""
    server = OvercastServer(tmp_path / "data", env={"OVERCAST_LEGACY_RUNTIMES": "1"})
    with server:
        name = _create(server.client("lambda"), "python3.8")
        server.env.pop("OVERCAST_LEGACY_RUNTIMES")
        server.restart()
        lam = server.client("lambda")
        assert json.loads(lam.invoke(FunctionName=name, Payload=b"1")["Payload"].read())["echo"] == 1
        for update in (lambda: lam.update_function_code(FunctionName=name, ZipFile=zip_handler(SOURCE)),
                       lambda: lam.update_function_configuration(FunctionName=name, Timeout=10)):
            with pytest.raises(ClientError) as info:
                update()
            assert _error(info) == ("InvalidParameterValueException", 400, NO_LONGER.format("python3.8"))
        lam.update_function_configuration(FunctionName=name, Runtime="python3.12", Timeout=10)
        wait_until(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
        lam.update_function_code(FunctionName=name, ZipFile=zip_handler(SOURCE))
        assert lam.get_function_configuration(FunctionName=name)["Runtime"] == "python3.12"
