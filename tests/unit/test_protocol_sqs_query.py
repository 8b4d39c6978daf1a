"""SQS speaks JSON now, but older SDKs (boto3 before 1.34, Java v1, many tools) still send it the
query protocol, and AWS still answers them in XML: every SQS operation, both ways, through botocore's
own query serializer and parser on SQS's current model."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from overcast.errors import ServiceError
from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import Wire, differences, member_names

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _query_model() -> ServiceModel:
    """SQS's model as query-protocol SDKs had it: each output wrapped in `<OpResult>`."""
    data = copy.deepcopy(botocore.session.get_session().get_component("data_loader")
                         .load_service_model("sqs", "service-2"))
    data["metadata"]["protocol"] = "query"
    for name, op in data["operations"].items():
        if "output" in op:
            op["output"]["resultWrapper"] = f"{name}Result"
    return ServiceModel(data, service_name="sqs")


OLD = _query_model()


@pytest.fixture(scope="module")
def wire():
    wire = Wire()
    yield wire
    wire.close()


def _send(wire, op, params, result=None, error=None):
    wire.recorder.calls.clear()
    wire.recorder.result = result or {}
    wire.recorder.error = error
    request = create_serializer("query").serialize_to_request(params, op)
    response = wire.send("POST", "/", service="sqs", headers=FORM, body=urlencode(request["body"]).encode())
    parsed = create_parser("query").parse(
        {"status_code": response.status, "headers": HeadersDict(dict(response.headers)), "body": response.body},
        OLD.operation_model(op.name).output_shape)
    return response, parsed


@pytest.mark.parametrize("op_name", service_model("sqs").operation_names)
def test_old_sdks_query_calls_round_trip(wire, op_name):
    op = service_model("sqs").operation_model(op_name)
    params = Sampler(op.service_model, "input").input(op)
    result = Sampler(op.service_model, "output").output(op)
    response, parsed = _send(wire, op, params, result)
    assert response.status == 200, response.body
    assert response.header("Content-Type") == "text/xml"
    ctx, kwargs = wire.recorder.calls[-1]
    assert ctx.operation == op_name
    assert differences(params, member_names(op, kwargs)) == []
    parsed.pop("ResponseMetadata")
    assert differences(result, parsed) == []


def test_old_sdks_get_the_legacy_error_codes(wire):
    op = service_model("sqs").operation_model("GetQueueUrl")
    error = ServiceError("The specified queue does not exist.", code="QueueDoesNotExist", status=400,
                         sender_fault=True)
    response, parsed = _send(wire, op, {"QueueName": "q"}, error=error)
    assert response.status == 400
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["Type"] == "Sender"
