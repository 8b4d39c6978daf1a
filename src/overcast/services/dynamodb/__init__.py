"""Amazon DynamoDB: tables, items, expressions, secondary indexes, transactions, TTL and the
stream records DynamoDB Streams serves (services/dynamodbstreams)."""

from overcast.delivery import EventSource
from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec

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
    validation_member_paths=True,  # `keySchema.2.member.keyType`
    # DynamoDB lists these enums in its own order, not the model's
    validation_enum_order={
        "Select": ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"),
        "ReturnValue": ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"),
    },
    # a table's or local index's key schema: one HASH and at most one RANGE (the model's KeySchema
    # grew to 8 elements for multi-attribute GSI keys)
    validation_limits={("CreateTableInput", "KeySchema"): {"max": 2}, ("LocalSecondaryIndex", "KeySchema"): {"max": 2}},
    respond=lambda platform, req, ctx, response: _respond(platform, ctx, response),
)


def _respond(platform, ctx, response):  # type: ignore[no-untyped-def]
    """Count the request in DynamoDB's metrics (SuccessfulRequestLatency, UserErrors)."""
    from overcast.services.dynamodb.metrics import respond

    respond(platform, ctx, response.status)
    return response


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.dynamodb.api import DynamoDbApi

    return DynamoDbApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.dynamodb.ttl import retention_loop, ttl_loop

    return [lambda: ttl_loop(platform), lambda: retention_loop(platform)]


def _adapter():  # type: ignore[no-untyped-def]
    from overcast.services.dynamodb.event_source import DynamoDBStreamSource

    return DynamoDBStreamSource


def _is_table_stream(arn: str) -> bool:
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "dynamodb" and "/stream/" in parts[5]


SPEC = ServiceSpec(name="dynamodb", api=_api, options=OPTIONS, loops=_loops,
                   event_source=EventSource("dynamodb", _adapter, _is_table_stream))
