"""botocore's service models, loaded once per process and shared (they are immutable)."""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from typing import Any

from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel, Shape


@lru_cache(maxsize=1)
def _loader():  # type: ignore[no-untyped-def]
    return create_loader()


def available_services() -> list[str]:
    """The name of every service model botocore ships."""
    return list(_loader().list_available_services("service-2"))


@lru_cache(maxsize=64)
def service_model(name: str) -> ServiceModel:
    """The newest botocore model of service `name` (e.g. 'sqs', 'lambda')."""
    data = _loader().load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


@lru_cache(maxsize=256)
def service_metadata(name: str) -> dict[str, Any]:
    """The `metadata` of service `name`'s model (protocol, signing name, target prefix...), read
    from the head of the model file without loading the rest: start-up needs it for every service,
    the full model only when a service is first called."""
    loader = _loader()
    version = loader.determine_latest_version(name, "service-2")
    for root in loader.search_paths:
        base = os.path.join(root, name, version, "service-2")
        for path, opener in ((base + ".json", open), (base + ".json.gz", gzip.open)):
            if os.path.isfile(path):
                head = _metadata_head(path, opener)
                if head is not None:
                    return {**head, **_extra_metadata(base)}
    return dict(service_model(name).metadata)


def _metadata_head(path: str, opener: Any) -> dict[str, Any] | None:
    with opener(path, "rb") as handle:
        text = handle.read(32768).decode("utf-8", "replace")
    start = text.find('"metadata"')
    brace = text.find("{", start) if start >= 0 else -1
    if brace < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text, brace)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _extra_metadata(base: str) -> dict[str, Any]:
    """Metadata an sdk-extras file merges into the model (botocore applies it on load)."""
    path = base + ".sdk-extras.json"
    if not os.path.isfile(path):
        return {}
    with open(path, "rb") as handle:
        extras = json.load(handle)
    return dict(extras.get("merge", {}).get("metadata", {}))


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
