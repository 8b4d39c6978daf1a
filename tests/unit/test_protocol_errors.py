"""Errors, through a real botocore client: every modeled error of every hosted service keeps its
code, message, HTTP status, request id and extra members, and botocore raises the modeled
exception class for it."""

from __future__ import annotations

import pytest
from botocore.model import OperationModel, ServiceModel, Shape

from overcast.errors import ServiceError
from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import HOSTED, Wire, differences


@pytest.fixture(scope="module")
def wire():
    wire = Wire()
    yield wire
    wire.close()


#: Error shapes whose wire code another shape of the service shares, so that botocore (as against
#: AWS) can only raise the other's exception class.
SHARED_CODE = {("cloudwatch", "DashboardNotFoundError"): "its code ResourceNotFound is ResourceNotFound's too"}


def _error_cases() -> list[object]:
    return [pytest.param(service, shape.name, id=f"{service}.{shape.name}",
                         marks=[pytest.mark.skip(reason=SHARED_CODE[(service, shape.name)])]
                         if (service, shape.name) in SHARED_CODE else [])
            for service in HOSTED for shape in service_model(service).error_shapes]


def _operation_raising(model: ServiceModel, shape: Shape) -> OperationModel:
    """The simplest operation that lists `shape` among its errors (any operation when none does)."""
    ops = [model.operation_model(name) for name in model.operation_names]
    listing = [op for op in ops if any(e.name == shape.name for e in op.error_shapes)] or ops
    return min(listing, key=lambda op: len(op.input_shape.required_members) if op.input_shape else 0)


def _fields(model: ServiceModel, shape: Shape) -> dict[str, object]:
    members = Sampler(model, "output").error(shape)
    return {k: v for k, v in members.items() if k.lower() != "message"}


@pytest.mark.parametrize(("service", "shape_name"), _error_cases())
def test_modeled_error_reaches_the_client(wire, service, shape_name):
    model = service_model(service)
    shape = model.shape_for(shape_name)
    op = _operation_raising(model, shape)
    status = shape.metadata.get("error", {}).get("httpStatusCode") or (500 if shape.metadata.get("fault") else 400)
    fields = _fields(model, shape)
    error = ServiceError(f"it failed: {shape_name} é <&>", code=shape.error_code, status=status,
                         sender_fault=not shape.metadata.get("fault"), fields=fields)
    params = Sampler(model, "input", required_only=True).input(op)
    exchange = wire.call(service, op.name, params, error=error)

    assert exchange.error is not None
    assert isinstance(exchange.error, getattr(wire.client(service).exceptions, shape_name))
    response = exchange.response
    code = shape.error_code
    if model.is_query_compatible:
        code = HOSTED[service].query_error_codes.get(shape.name, code)
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == f"it failed: {shape_name} é <&>"
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == status
    assert metadata["RequestId"] == exchange.ctx.request_id
    if model.protocol == "query":
        # botocore reads a query error's members from <Error> as text
        got = {k: v for k, v in response["Error"].items() if k in fields}
        expected = {k: v for k, v in fields.items() if isinstance(v, str)}
        assert differences(expected, {k: got.get(k) for k in expected}) == []
    else:
        modeled = {k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")}
        assert differences(fields, {k: modeled.get(k) for k in fields}) == []
