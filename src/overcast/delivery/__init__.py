"""The delivery and event-source contract between services and the engine.

It sits below every service's state (`models.py`) and above the platform, so a service can record
a delivery, refuse one with `DeliveryError` or describe how Lambda polls it without importing the
engine; and the engine finds what each service declared on its `ServiceSpec` through `Registry`,
never by importing services by name. See docs/delivery.md.
"""

from overcast.delivery.retry import GiveUp, Outcome, Retry, RetryPolicy, Uniform
from overcast.delivery.sources import EventSource
from overcast.delivery.targets import (
    OUTBOX_SIGNAL,
    Deliverer,
    DeliveryError,
    FailureAttributes,
    Registry,
    as_account,
    as_role,
    as_service,
    delivery_metrics,
    record,
)

__all__ = [
    "OUTBOX_SIGNAL",
    "Deliverer",
    "DeliveryError",
    "EventSource",
    "FailureAttributes",
    "GiveUp",
    "Outcome",
    "Registry",
    "Retry",
    "RetryPolicy",
    "Uniform",
    "as_account",
    "as_role",
    "as_service",
    "delivery_metrics",
    "record",
]
