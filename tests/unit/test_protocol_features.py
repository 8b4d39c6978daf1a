"""Wire features the hosted services barely use, through operations of other AWS services that do
(the protocol code is generic, so it must hold for them too): JSON-value and list headers, query
string maps of lists, free-form documents, timestamp-format overrides, flattened query lists,
header timestamps in rest-json, float query parameters."""

from __future__ import annotations

import pytest

from overcast.protocol import ProtocolOptions
from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import Wire, differences

FEATURES = {
    ("lex-runtime", "PostContent"): "jsonvalue headers, both ways",
    ("entityresolution", "BatchDeleteUniqueId"): "a header holding a list of strings",
    ("amp", "ListScrapers"): "a query-string map of lists",
    ("geo-maps", "GetStaticMap"): "float query parameters",
    ("connect", "CreateTestCase"): "rest-json header timestamps",
    ("datazone", "GetLineageEvent"): "rest-json response header timestamps",
    ("braket", "CreateSpendingLimit"): "unixTimestamp override in rest-json",
    ("braket", "SearchSpendingLimits"): "unixTimestamp override in a rest-json response",
    ("dms", "CreateDataMigration"): "iso8601 override in json",
    ("cognito-idp", "CreateManagedLoginBranding"): "json documents",
    ("bedrock-agent", "CreateAgent"): "rest-json documents",
    ("sdb", "BatchPutAttributes"): "flattened query lists",
    ("sdb", "GetAttributes"): "flattened query lists in a response",
    ("lookoutequipment", "CreateDataset"): "a jsonvalue string in a json body",
}


@pytest.fixture(scope="module")
def wire():
    wire = Wire({service: ProtocolOptions() for service, _ in FEATURES})
    yield wire
    wire.close()


CASES = [pytest.param(s, o, id=f"{s}.{o}: {why}") for (s, o), why in FEATURES.items()]


@pytest.mark.parametrize(("service", "op_name"), CASES)
def test_request_feature(wire, service, op_name):
    op = service_model(service).operation_model(op_name)
    params = Sampler(op.service_model, "input").input(op)
    exchange = wire.call(service, op_name, params)
    assert exchange.error is None, exchange.response.get("Error")
    assert (exchange.service, exchange.operation) == (service, op_name)
    assert differences(exchange.sent, exchange.received) == []


@pytest.mark.parametrize(("service", "op_name"), CASES)
def test_response_feature(wire, service, op_name):
    op = service_model(service).operation_model(op_name)
    params = Sampler(op.service_model, "input", required_only=True).input(op)
    result = Sampler(op.service_model, "output").output(op)
    exchange = wire.call(service, op_name, params, result=result)
    assert exchange.error is None, exchange.response.get("Error")
    assert differences(result, exchange.parsed) == []
