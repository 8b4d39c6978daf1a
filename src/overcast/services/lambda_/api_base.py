"""What Lambda's operation groups share: the stores, function references, a function's
configuration by qualifier, code from S3, and paging."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.code import CodeStore
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.layers import LayerStore
from overcast.services.lambda_.models import LATEST, FunctionStore
from overcast.services.lambda_.names import FunctionRef, parse_function
from overcast.services.s3.inbox import read_object


def page(items: list[Any], marker: str | None, max_items: int | None, default: int = 50) -> tuple[list[Any], str | None]:
    start = int(marker) if marker and marker.isdigit() else 0
    size = max_items or default
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.functions = platform.component(FunctionStore)
        self.layers = platform.component(LayerStore)
        self.code = CodeStore(platform.files_dir)

    def _ref(self, ctx: RequestContext, name: str, qualifier: str | None = None) -> FunctionRef:
        ref = parse_function(name, ctx.account, ctx.region, qualifier)
        if ref.region != ctx.region:
            raise error("wrong_region", region=ref.region, here=ctx.region)
        return ref

    def _configuration(self, ref: FunctionRef) -> dict[str, Any]:
        qualifier = ref.qualifier or LATEST
        if qualifier == LATEST or qualifier.isdigit():
            return self.functions.version(ref, qualifier)
        try:
            alias = self.functions.alias(ref, qualifier)
        except ResourceNotFound:
            raise error("function_not_found", arn=f"{ref.arn}:{qualifier}") from None
        return self.functions.version(ref, alias["FunctionVersion"])

    def _read_s3(self, bucket: str, key: str, version: str | None) -> bytes:
        try:
            return read_object(self.platform, bucket, key, version)
        except Exception as exc:
            code = getattr(exc, "code", "NoSuchKey")
            raise error("s3_code_error", code=code, message=getattr(exc, "message", exc)) from None
