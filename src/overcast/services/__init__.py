"""AWS services, one package each.

A service package exposes `SPEC`, a `ServiceSpec`, from its `__init__.py`; the gateway discovers
them. Inside the package: `api.py` (`<Service>Api`: one plain method per AWS operation, snake_case
arguments, a dict of output members back, no HTTP; larger services group the methods in
`<Group>Operations` mixins in `api_*.py` over an `ApiBase` in `api_base.py`), `models.py` (state and
rules), `errors.py` (AWS errors), `inbox.py` (what the rest of overcast uses without HTTP: the
service's deliverer, reads other services make) and `event_source.py` (what Lambda's pollers read).

What a service takes from and feeds to the engine is declared on its spec: `deliver=` (the outbox's
deliverer for the service's ARNs), `failure_attributes=` (the attributes of its dead-letter messages)
and `event_source=` (a source for Lambda event source mappings); see `overcast.delivery` and
docs/delivery.md. `tagging=` declares the service's taggable resources for the Resource Groups
Tagging API (`overcast.services.tagging`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from overcast.delivery import Deliverer, EventSource, FailureAttributes
from overcast.protocol.base import ProtocolOptions
from overcast.services.tagging import Taggable

if TYPE_CHECKING:
    from botocore.model import ServiceModel

    from overcast.edge.messages import Request, Response
    from overcast.platform import Platform

Loop = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class HttpRoute:
    """A non-API HTTP surface a service serves on the shared port (an API's invoke URL, a function
    URL...). `matches` must be cheap: it runs for every request before API routing."""

    name: str
    matches: Callable[[Request], bool]
    handle: Callable[[Platform, Request], Awaitable[Response]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    #: Builds the api object (one method per operation) for a platform.
    api: Callable[[Platform], Any]
    #: botocore model name, when not `name`
    model: str = ""
    #: SigV4 signing names routed here besides the model's own
    signing_names: tuple[str, ...] = ()
    options: ProtocolOptions = field(default_factory=ProtocolOptions)
    routes: tuple[HttpRoute, ...] = ()
    #: Background loops the service needs while the platform runs.
    loops: Callable[[Platform], list[Loop]] | None = None
    #: For a service that speaks two protocols (SQS: json, and the legacy query protocol of older
    #: SDKs): the model to use for this request, or None for the botocore model `model_name`.
    model_for: Callable[[Request], ServiceModel | None] | None = None
    #: Takes deliveries from the outbox for target ARNs of this service (`arn:aws:<name>:...`).
    deliver: Deliverer | None = None
    #: Other ARN service names whose targets `deliver` takes (EventBridge: `execute-api`, API
    #: Gateway targets of rules, which it sends as HTTP requests).
    deliver_for: tuple[str, ...] = ()
    #: The dead-letter message attributes of this service's failed deliveries (`failure_style=<name>`).
    failure_attributes: FailureAttributes | None = None
    #: What this service feeds to Lambda event source mappings.
    event_source: EventSource | None = None
    #: Its taggable resources, for the Resource Groups Tagging API (`overcast.services.tagging`).
    tagging: tuple[Taggable, ...] = ()

    @property
    def model_name(self) -> str:
        return self.model or self.name


def discover() -> list[ServiceSpec]:
    """Every service package's SPEC, in name order."""
    specs: list[ServiceSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, ServiceSpec):
            specs.append(spec)
    return specs
