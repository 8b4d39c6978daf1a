"""Amazon SQS: standard and FIFO queues over the json protocol (current SDKs) and the query
protocol (older SDKs), with dead-letter redrive and long polling."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec
from overcast.services.sqs.event_source import EVENT_SOURCE
from overcast.services.sqs.inbox import deliver
from overcast.services.sqs.query_protocol import model_for, queue_url_from_path


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sqs.api import SqsApi

    return SqsApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sqs.inbox import loops

    return loops(platform)


SPEC = ServiceSpec(
    name="sqs",
    api=_api,
    loops=_loops,
    deliver=deliver,
    event_source=EVENT_SOURCE,
    model_for=model_for,
    options=ProtocolOptions(validation="required", validation_code="MissingParameter",
                            error_type_prefix="com.amazonaws.sqs#", rewrite=queue_url_from_path),
)
