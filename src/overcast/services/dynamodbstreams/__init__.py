"""Amazon DynamoDB Streams: reads the stream records DynamoDB writes with each item change.

Signed with the signing name `dynamodb` like DynamoDB itself; the gateway tells them apart by the
X-Amz-Target prefix (DynamoDBStreams_20120810).
"""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.dynamodbstreams.api import DynamoDbStreamsApi

    return DynamoDbStreamsApi(platform)


SPEC = ServiceSpec(
    name="dynamodbstreams",
    api=_api,
    model="dynamodbstreams",
    signing_names=("dynamodb",),
    options=ProtocolOptions(validation="full", error_type_prefix="com.amazonaws.dynamodb.v20120810#"),
)
