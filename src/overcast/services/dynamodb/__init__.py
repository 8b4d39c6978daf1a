"""Amazon DynamoDB: tables, items, expressions, secondary indexes, transactions, TTL and the
stream records DynamoDB Streams serves (services/dynamodbstreams)."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec
from overcast.services.dynamodb.event_source import EVENT_SOURCE

#: AttributeValue maps reach the api as wire JSON, untouched (types.py validates them).
RAW_SHAPES = frozenset({
    "AttributeValue", "AttributeMap", "Key", "PutItemInputAttributeMap", "ExpressionAttributeValueMap",
    "AttributeValueList", "ItemCollectionKeyAttributeMap", "PreparedStatementParameters", "MapAttributeValue",
    "ListAttributeValue",
})

OPTIONS = ProtocolOptions(
    validation="full",
    raw_shapes=RAW_SHAPES,
    error_type_prefix="com.amazonaws.dynamodb.v20120810#",
)


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.dynamodb.api import DynamoDbApi

    return DynamoDbApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.dynamodb.ttl import retention_loop, ttl_loop

    return [lambda: ttl_loop(platform), lambda: retention_loop(platform)]


SPEC = ServiceSpec(name="dynamodb", api=_api, options=OPTIONS, loops=_loops, event_source=EVENT_SOURCE)
