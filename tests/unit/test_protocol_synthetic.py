"""Query-protocol shapes no hosted service uses today (flattened maps with renamed keys and values,
renamed flattened list members), on a model written here, through botocore's own serializer and
parser: the protocol code must hold for any model."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from botocore.awsrequest import HeadersDict
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from overcast.context import RequestContext
from overcast.edge.messages import Headers, Request
from overcast.protocol import PROTOCOLS, ProtocolOptions

MODEL = {
    "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "endpointPrefix": "synthetic",
                 "serviceId": "Synthetic", "signatureVersion": "v4", "xmlNamespace": "urn:synthetic"},
    "operations": {"Echo": {"name": "Echo", "http": {"method": "POST", "requestUri": "/"},
                            "input": {"shape": "Shapes"}, "output": {"shape": "Shapes", "resultWrapper": "EchoResult"}}},
    "shapes": {
        "Shapes": {"type": "structure", "members": {
            "FlatMap": {"shape": "FlatMap", "flattened": True, "locationName": "Attribute"},
            "Map": {"shape": "RenamedMap"},
            "FlatList": {"shape": "FlatList", "flattened": True},
            "List": {"shape": "RenamedList"},
            "When": {"shape": "When"},
            "Blob": {"shape": "Blob"},
            "Nested": {"shape": "Shapes"},
        }},
        "FlatMap": {"type": "map", "key": {"shape": "String", "locationName": "Name"},
                    "value": {"shape": "String", "locationName": "Value"}, "flattened": True},
        "RenamedMap": {"type": "map", "key": {"shape": "String", "locationName": "K"},
                       "value": {"shape": "Shapes", "locationName": "V"}},
        "FlatList": {"type": "list", "member": {"shape": "String", "locationName": "Item"}, "flattened": True},
        "RenamedList": {"type": "list", "member": {"shape": "String", "locationName": "Entry"}},
        "String": {"type": "string"},
        "When": {"type": "timestamp"},
        "Blob": {"type": "blob"},
    },
}
VALUE: dict[str, Any] = {
    "FlatMap": {"a é": "1", "b": "<2>"},
    "Map": {"k": {"FlatList": ["x", "y"], "When": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)}},
    "FlatList": ["p", "q & r"],
    "List": ["s", "t"],
    "Blob": b"\x00\xff",
    "Nested": {"FlatMap": {"c": "3"}, "List": ["u"]},
}


def test_query_request_with_flattened_and_renamed_shapes():
    model = ServiceModel(MODEL, service_name="synthetic")
    op = model.operation_model("Echo")
    request = create_serializer("query").serialize_to_request(VALUE, op)
    body = urlencode(request["body"]).encode()
    req = Request("POST", "/", "", Headers([("Content-Type", "application/x-www-form-urlencoded")]), body)
    protocol = PROTOCOLS["query"]
    assert protocol.operation(model, req, ProtocolOptions()).name == "Echo"
    assert protocol.parse(op, req, ProtocolOptions(validation="none")) == VALUE


def test_query_response_with_flattened_and_renamed_shapes():
    model = ServiceModel(MODEL, service_name="synthetic")
    op = model.operation_model("Echo")
    response = PROTOCOLS["query"].serialize(op, VALUE, RequestContext("000000000000", "us-east-1"),
                                            ProtocolOptions())
    parsed = create_parser("query").parse(
        {"status_code": 200, "headers": HeadersDict(dict(response.headers)), "body": response.body},
        op.output_shape)
    parsed.pop("ResponseMetadata")
    assert parsed == VALUE
