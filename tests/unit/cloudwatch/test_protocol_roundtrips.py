"""Every CloudWatch operation round-trips in the two protocols botocore does not pick by itself:
smithy-rpc-v2-cbor and query (json, its pick, is covered with every hosted service in
tests/unit/test_protocol_roundtrip.py). The client reads a copy of the model that lists one protocol."""

from __future__ import annotations

import pytest

from overcast.protocol.catalog import service_model
from tests.integration.cloudwatch.helpers import model_dir
from tests.unit.samples import Sampler
from tests.unit.wire import HOSTED, Wire, differences

PROTOCOLS = ("smithy-rpc-v2-cbor", "query")
OPERATIONS = service_model("cloudwatch").operation_names


@pytest.fixture(scope="module", params=PROTOCOLS)
def wire(request, tmp_path_factory):
    wire = Wire(services={"cloudwatch": HOSTED["cloudwatch"]})
    wire.session.set_config_variable("data_path", str(model_dir(tmp_path_factory.mktemp("models"), request.param)))
    assert wire.client("cloudwatch").meta.service_model.protocol == request.param
    yield wire
    wire.close()


@pytest.mark.parametrize("op_name", OPERATIONS)
def test_request_reaches_the_service_unchanged(wire, op_name):
    op = service_model("cloudwatch").operation_model(op_name)
    params = Sampler(op.service_model, "input").input(op)
    exchange = wire.call("cloudwatch", op_name, params)
    assert exchange.error is None, exchange.response.get("Error")
    assert exchange.operation == op_name
    assert differences(exchange.sent, exchange.received) == []


@pytest.mark.parametrize("op_name", OPERATIONS)
def test_response_reaches_the_client_unchanged(wire, op_name):
    op = service_model("cloudwatch").operation_model(op_name)
    params = Sampler(op.service_model, "input", required_only=True).input(op)
    result = Sampler(op.service_model, "output").output(op)
    exchange = wire.call("cloudwatch", op_name, params, result=result)
    assert exchange.error is None, exchange.response.get("Error")
    assert differences(result, exchange.parsed) == []
