"""Amazon CloudWatch (`monitoring`): metrics, metric math, dashboards, insight rules and tags.

botocore's model lists three protocols (smithy-rpc-v2-cbor, json, query). Current boto3 picks by
its own priority order, json first, so it (and the AWS CLI v1 on it) speaks awsJson1_0; older
SDKs and CLIs speak `query`; SDKs that prefer CBOR speak smithy-rpc-v2-cbor. The protocol layer serves all three from
the one model.
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
# A datum's Values and Counts (up to 150 numbers each) reach PutMetricData as they came, unwalked:
# `put_checks` checks each number itself, at a fraction of the generic walk's cost.
SPEC = ServiceSpec(name="cloudwatch", api=_api, loops=_loops,
                   options=ProtocolOptions(validation_code="ValidationError",
                                           raw_shapes=frozenset({"Values", "Counts"})))
