"""Wire protocols, generic and driven by botocore's service models: one parser and one serializer
per protocol (json and its CBOR variant, query, rest-json, rest-xml, smithy-rpc-v2-cbor)."""

from __future__ import annotations

from overcast.protocol.base import ProtocolOptions, Trusted, WireProtocol
from overcast.protocol.json_ import JsonProtocol
from overcast.protocol.json_cbor import JsonCborProtocol, is_cbor
from overcast.protocol.query import QueryProtocol
from overcast.protocol.restjson import RestJsonProtocol
from overcast.protocol.restxml import RestXmlProtocol
from overcast.protocol.rpcv2cbor import RpcV2CborProtocol, is_rpc_v2_cbor

PROTOCOLS: dict[str, WireProtocol] = {
    "json": JsonProtocol(),
    "json-cbor": JsonCborProtocol(),  # the json protocol with CBOR bodies (Kinesis from the Java SDK)
    "query": QueryProtocol(),
    "rest-json": RestJsonProtocol(),
    "rest-xml": RestXmlProtocol(),
    "smithy-rpc-v2-cbor": RpcV2CborProtocol(),
}

__all__ = ["PROTOCOLS", "ProtocolOptions", "Trusted", "WireProtocol", "is_cbor", "is_rpc_v2_cbor"]
