"""What Parameter Store's operations share: the store, finding a parameter by a reference
(`name`, `name:version`, `name:label`, an ARN), views of a version as each operation answers it,
and paging tokens."""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.ssm import names, public, secure
from overcast.services.ssm.errors import InvalidNextToken, ParameterNotFound, ParameterVersionNotFound
from overcast.services.ssm.models import ParameterStore


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(ParameterStore)

    def _current(self, ctx: RequestContext, name: str) -> dict[str, Any] | None:
        return self.store.current(ctx.account, ctx.region, names.key(name))

    def _require(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._current(ctx, name)
        if doc is None:
            raise ParameterNotFound(name)
        return doc

    def _find(self, ctx: RequestContext, reference: str) -> tuple[dict[str, Any], str | None]:
        """(the version a reference names, its selector); AWS's errors when there is none."""
        name, selector, ok = names.split_selector(reference)
        if not ok:
            raise ParameterNotFound(reference)
        if public.is_public(name):
            doc = public.lookup(ctx.region, name)
            if doc is None or (selector is not None and selector != "1"):
                raise ParameterNotFound(reference)
            return doc, selector
        current = self._current(ctx, name)
        if current is None:
            raise ParameterNotFound(reference)
        key = names.key(name)
        if selector is None:
            return current, None
        if selector.isdigit():
            found = self.store.version(ctx.account, ctx.region, key, int(selector))
            if found is None:
                raise ParameterVersionNotFound(name, selector)
            return found, selector
        for version in reversed(self.store.versions(ctx.account, ctx.region, key)):
            if selector in version.get("Labels", []):
                return version, selector
        raise ParameterNotFound(reference)

    def _value(self, ctx: RequestContext, doc: dict[str, Any], decrypt: bool) -> str:
        if doc["Type"] != "SecureString" or not decrypt:
            return str(doc["Value"])
        return secure.decrypt(self.platform, ctx.account, ctx.region, doc.get("KeyId") or secure.DEFAULT_KEY,
                              doc["ARN"], doc["Value"])

    def _parameter(self, ctx: RequestContext, doc: dict[str, Any], decrypt: bool,
                   selector: str | None = None) -> dict[str, Any]:
        """A version as GetParameter(s) and GetParametersByPath answer it."""
        view = {"Name": doc["Name"], "Type": doc["Type"], "Value": self._value(ctx, doc, decrypt),
                "Version": doc["Version"], "LastModifiedDate": doc["LastModifiedDate"], "ARN": doc["ARN"],
                "DataType": doc.get("DataType", "text")}
        if selector is not None:
            view["Selector"] = f":{selector}"
        return view


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_token(token: str | None) -> int:
    """The offset a NextToken stands for; InvalidNextToken for one overcast did not give."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError):
        raise InvalidNextToken() from None
    if not isinstance(offset, int) or offset < 0:
        raise InvalidNextToken()
    return offset


def page(items: list[Any], token: str | None, limit: int) -> tuple[list[Any], str | None]:
    start = decode_token(token)
    chunk = items[start:start + limit]
    return chunk, encode_token(start + limit) if start + limit < len(items) else None
