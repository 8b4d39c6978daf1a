"""Amazon SQS: standard and FIFO queues over the json protocol (current SDKs) and the query
protocol (older SDKs), with dead-letter redrive and long polling."""

from overcast.delivery import EventSource
from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec
from overcast.services.sqs.query_protocol import model_for, queue_url_from_path


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sqs.api import SqsApi

    return SqsApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.sqs.inbox import loops

    return loops(platform)


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.sqs.inbox import deliver

    return deliver(platform, target_arn, payload, options)


def _adapter():  # type: ignore[no-untyped-def]
    from overcast.services.sqs.event_source import SqsSource

    return SqsSource


def _is_queue(arn: str) -> bool:
    return arn.startswith("arn:") and arn.split(":")[2:3] == ["sqs"]


SPEC = ServiceSpec(
    name="sqs",
    api=_api,
    loops=_loops,
    deliver=_deliver,
    event_source=EventSource("sqs", _adapter, _is_queue, queue=True),
    model_for=model_for,
    options=ProtocolOptions(validation="required", validation_code="MissingParameter",
                            required_message="The request must contain the parameter {name}.",
                            query_absent_lists_empty=True,
                            unknown_action_message="The action {action} is not valid for this endpoint.",
                            error_type_prefix="com.amazonaws.sqs#", rewrite=queue_url_from_path,
                            # errors AWS names by a shape the json model lacks: __type → query code
                            query_error_codes={"InvalidParameterValueException": "InvalidParameterValue",
                                               "MissingRequiredParameterException": "MissingParameter"}),
)
