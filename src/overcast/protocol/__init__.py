"""Wire protocols, generic and driven by botocore's service models: one parser and one serializer
per protocol (json, query, rest-json, rest-xml)."""

from __future__ import annotations

from overcast.protocol.base import ProtocolOptions, Trusted, WireProtocol
from overcast.protocol.json_ import JsonProtocol
from overcast.protocol.query import QueryProtocol
from overcast.protocol.restjson import RestJsonProtocol
from overcast.protocol.restxml import RestXmlProtocol

PROTOCOLS: dict[str, WireProtocol] = {
    "json": JsonProtocol(),
    "query": QueryProtocol(),
    "rest-json": RestJsonProtocol(),
    "rest-xml": RestXmlProtocol(),
}

__all__ = ["PROTOCOLS", "ProtocolOptions", "Trusted", "WireProtocol"]
