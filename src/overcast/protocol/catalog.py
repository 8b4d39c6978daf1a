"""botocore's service models, loaded once per process and shared (they are immutable)."""

from __future__ import annotations

from functools import lru_cache

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, Shape


@lru_cache(maxsize=1)
def _loader():  # type: ignore[no-untyped-def]
    return create_loader()


@lru_cache(maxsize=64)
def service_model(name: str) -> ServiceModel:
    """The newest botocore model of service `name` (e.g. 'sqs', 'lambda')."""
    data = _loader().load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


@lru_cache(maxsize=256)
def error_shapes(name: str) -> dict[str, Shape]:
    """Error shapes by wire code (the shape's `error.code` when given, else its name)."""
    model = service_model(name)
    shapes: dict[str, Shape] = {}
    for shape in model.error_shapes:
        shapes[shape.name] = shape
        code = shape.metadata.get("error", {}).get("code")
        if code:
            shapes[code] = shape
    return shapes


def operation(name: str, op_name: str) -> OperationModel:
    return service_model(name).operation_model(op_name)
