"""What SES v2's operation mixins share: the platform, and SES's errors worded as v2 words them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.ses.inbox import SesError, SesStore

T = TypeVar("T")


def v2_errors(cls: type[T]) -> type[T]:
    """Wrap each operation so SES's shared errors come out as v2's (`NotFoundException` 404...)."""
    for attr, value in list(vars(cls).items()):
        if attr.startswith("_") or not callable(value):
            continue
        setattr(cls, attr, _translated(value))
    return cls


def _translated(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except SesError as error:
            raise ServiceError(error.message, code=error.v2_code, status=error.v2_status, sender_fault=True) from None

    return call


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(SesStore)
