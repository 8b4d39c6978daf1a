"""CloudWatch clients for each protocol of the model: plain boto3 (which picks awsJson1_0 from the
model's list), and botocore forced onto smithy-rpc-v2-cbor or query through a model copy."""

from pathlib import Path

import pytest

from tests.integration.cloudwatch.helpers import client_speaking, model_dir

PROTOCOLS = ("json", "smithy-rpc-v2-cbor", "query")


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cloudwatch-models")
    return {protocol: model_dir(root, protocol) for protocol in PROTOCOLS}


@pytest.fixture(params=PROTOCOLS)
def cw(request: pytest.FixtureRequest, overcast_server, model_dirs):  # type: ignore[no-untyped-def]
    """A CloudWatch client speaking each protocol in turn."""
    if request.param == "json":
        return overcast_server.client("cloudwatch")
    return client_speaking(overcast_server, model_dirs[request.param])
