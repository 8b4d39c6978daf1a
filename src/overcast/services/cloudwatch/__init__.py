"""Amazon CloudWatch (`monitoring`): metrics, metric math, dashboards, insight rules and tags.

botocore's model lists three protocols; current boto3 speaks smithy-rpc-v2-cbor, AWS CLI v1 and
older SDKs `query`, some SDKs awsJson1_0. The protocol layer serves all three from the one model.
"""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.cloudwatch.api import CloudWatchApi

    return CloudWatchApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.cloudwatch.rollup import rollup_loop

    return [lambda: rollup_loop(platform)]


# CloudWatch answers model-constraint violations with ValidationError (its ValidationException shape).
SPEC = ServiceSpec(name="cloudwatch", api=_api, loops=_loops,
                   options=ProtocolOptions(validation_code="ValidationError",
                                           serialization_code="SerializationException"))
