"""What KMS's operation groups share: the store, key lookup by any name, and checks."""

from __future__ import annotations

import re
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.kms.errors import InvalidMarkerException, NotFoundException, ValidationException
from overcast.services.kms.models import KEY_ID, Doc, KmsStore, key_arn
from overcast.services.kms.views import describe

KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)$")


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(KmsStore)
        self.clock = platform.clock

    def _key(self, ctx: RequestContext, key_id: str) -> Doc:
        """The key any of its names (id, ARN, alias, alias ARN) names."""
        return self.store.resolve(ctx.account, ctx.region, key_id)

    def _own_key(self, ctx: RequestContext, key_id: str) -> Doc:
        """A key named by its id or key ARN only: the operations that manage a key (policies,
        tags, deletion, rotation...) do not take aliases."""
        match = KEY_ARN.match(key_id)
        if match is None and not KEY_ID.match(key_id):
            raise NotFoundException(f"Invalid keyId {key_id}")
        return self._key(ctx, key_id)

    def _meta(self, ctx: RequestContext, doc: Doc) -> dict[str, Any]:
        return describe(self.store, ctx.account, doc)

    @staticmethod
    def _arn(doc: Doc) -> str:
        return str(doc["Metadata"]["Arn"])

    def _save(self, ctx: RequestContext, doc: Doc) -> None:
        self.store.put(ctx.account, ctx.region, doc)

    @staticmethod
    def _page(items: list[Any], limit: int | None, marker: str | None, default: int = 100) -> tuple[list[Any], Any]:
        """One page of `items` after `marker` (an index, as text), and the next marker or None."""
        start = 0
        if marker:
            if not marker.isdigit():
                raise InvalidMarkerException("Invalid marker")
            start = int(marker)
        size = limit or default
        page = items[start:start + size]
        return page, (str(start + size) if start + size < len(items) else None)

    @staticmethod
    def _validation(message: str) -> ValidationException:
        return ValidationException(message)

    @staticmethod
    def _key_arn(ctx: RequestContext, key_id: str) -> str:
        return key_arn(ctx.account, ctx.region, key_id)


def paged(name: str, page: list[Any], marker: str | None) -> dict[str, Any]:
    """A KMS list answer: the page, Truncated, and NextMarker when truncated."""
    out: dict[str, Any] = {name: page, "Truncated": marker is not None}
    if marker is not None:
        out["NextMarker"] = marker
    return out
