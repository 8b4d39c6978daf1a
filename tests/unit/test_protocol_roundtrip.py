"""Every operation of every hosted service, through a real botocore client and overcast's gateway.

Requests: a sample of the whole input shape (tests/unit/samples.py) is serialized by botocore and
must reach the service method unchanged. Responses: a sample of the whole output shape, returned by
the service method, must come out of botocore's parser unchanged.
"""

from __future__ import annotations

import pytest

from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import HOSTED, Wire, differences

_SUCCESSOR = "same HTTP request as its successor, which AWS (and overcast) answers instead"

#: Operations a round-trip cannot represent, and why.
SKIP_BOTH: dict[tuple[str, str], str] = {
    ("s3", "GetBucketLifecycle"): _SUCCESSOR,
    ("s3", "PutBucketLifecycle"): _SUCCESSOR,
    ("s3", "GetBucketNotification"): _SUCCESSOR,
    ("s3", "PutBucketNotification"): _SUCCESSOR,
    ("s3", "ListDirectoryBuckets"): "S3 Express: the same `GET /` as ListBuckets; AWS tells them apart by host",
}
SKIP_REQUEST = SKIP_BOTH
SKIP_RESPONSE = SKIP_BOTH
#: Operations whose response botocore shapes in an after-call handler (compare its final result).
AFTER_CALL = {("s3", "GetBucketLocation")}


def _cases() -> list[tuple[str, str]]:
    return [(service, op) for service in HOSTED for op in service_model(service).operation_names]


def _param(cases: list[tuple[str, str]], skips: dict[tuple[str, str], str]) -> list[object]:
    return [pytest.param(s, o, id=f"{s}.{o}", marks=[pytest.mark.skip(reason=skips[(s, o)])] if (s, o) in skips
                         else []) for s, o in cases]


@pytest.fixture(scope="module")
def wire():
    wire = Wire()
    yield wire
    wire.close()


@pytest.mark.parametrize(("service", "op_name"), _param(_cases(), SKIP_REQUEST))
def test_request_reaches_the_service_unchanged(wire, service, op_name):
    op = service_model(service).operation_model(op_name)
    params = Sampler(op.service_model, "input").input(op)
    exchange = wire.call(service, op_name, params)
    assert exchange.error is None, exchange.response.get("Error")
    assert (exchange.service, exchange.operation) == (service, op_name)
    assert differences(exchange.sent, exchange.received) == []


@pytest.mark.parametrize(("service", "op_name"), _param(_cases(), SKIP_RESPONSE))
def test_response_reaches_the_client_unchanged(wire, service, op_name):
    op = service_model(service).operation_model(op_name)
    params = Sampler(op.service_model, "input", required_only=True).input(op)
    sampler = Sampler(op.service_model, "output")
    result = sampler.output(op)
    stream = op.output_shape.event_stream_name if op.output_shape is not None else None
    if stream:
        result[stream] = sampler.events(op.output_shape.members[stream])
    exchange = wire.call(service, op_name, params, result=result)
    assert exchange.error is None, exchange.response.get("Error")
    assert (exchange.service, exchange.operation) == (service, op_name)
    parsed = exchange.parsed
    if stream:
        parsed[stream] = list(parsed[stream])
    if (service, op_name) in AFTER_CALL:
        parsed = {k: v for k, v in exchange.response.items() if k != "ResponseMetadata"}
    if service == "s3" and "Expires" in result:
        # botocore keeps the raw header too (s3 customization `handle_expires_header`)
        result["ExpiresString"] = "Mon, 06 May 2024 07:08:09 GMT"
    assert differences(result, parsed) == []
