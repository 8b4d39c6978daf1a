"""Mapping templates (Velocity, rendered by `airspeed`) with API Gateway's variables: `$input`,
`$context`, `$stageVariables`, `$util` (subset documented in docs/http-front-doors.md)."""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from overcast.services.apigateway.errors import BadRequest

_STEP = re.compile(r"\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]|\.?\[?\*\]?")


def json_path(document: Any, path: str) -> Any:
    """The simple JSONPath API Gateway templates use: `$`, `$.a.b`, `$.a[0]`, `$['a b']`."""
    path = (path or "$").strip()
    if not path.startswith("$"):
        return None
    node = document
    for match in _STEP.finditer(path, 1):
        name, index, quoted, dquoted = match.groups()
        key = name or quoted or dquoted
        if key is not None:
            node = node.get(key) if isinstance(node, dict) else None
        elif index is not None:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        if node is None:
            return None
    return node


class Input:
    """`$input`: the request (or integration response) body and the request's parameters."""

    def __init__(self, body: bytes, params: dict[str, dict[str, str]]) -> None:
        self._raw = body
        self._params = params
        self.body = body.decode(errors="replace")

    def _document(self) -> Any:
        try:
            return json.loads(self._raw) if self._raw.strip() else {}
        except ValueError:
            return None

    def json(self, path: str = "$") -> str:
        return json.dumps(json_path(self._document(), path))

    def path(self, path: str = "$") -> Any:
        return json_path(self._document(), path)

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return self._params
        for where in ("path", "querystring", "header"):
            if name in self._params.get(where, {}):
                return self._params[where][name]
        return ""


class Util:
    """`$util`."""

    @staticmethod
    def escapeJavaScript(text: Any) -> str:
        return json.dumps(str(text))[1:-1].replace("'", "\\'")

    @staticmethod
    def base64Encode(text: Any) -> str:
        return base64.b64encode(str(text).encode()).decode()

    @staticmethod
    def base64Decode(text: Any) -> str:
        return base64.b64decode(str(text)).decode(errors="replace")

    @staticmethod
    def urlEncode(text: Any) -> str:
        return quote(str(text), safe="")

    @staticmethod
    def urlDecode(text: Any) -> str:
        return unquote(str(text))

    @staticmethod
    def parseJson(text: Any) -> Any:
        return json.loads(str(text))


@lru_cache(maxsize=256)
def _compiled(template: str) -> Any:
    import airspeed

    return airspeed.Template(template)


def render(template: str, *, body: bytes, params: dict[str, dict[str, str]], context: dict[str, Any],
           stage_variables: dict[str, str] | None) -> str:
    """Render one mapping template; a template that cannot be rendered is a 500 on AWS."""
    import airspeed

    namespace = {"input": Input(body, params), "context": context, "stageVariables": stage_variables or {},
                 "util": Util()}
    try:
        return str(_compiled(template).merge(namespace))
    except (airspeed.TemplateError, TypeError, ValueError, AttributeError) as exc:
        raise BadRequest(f"Unable to transform request: {exc}") from None


def pick_template(templates: dict[str, str] | None, content_type: str) -> str | None:
    """The template for a content type: exact match, else application/json, else the only one."""
    if not templates:
        return None
    if content_type in templates:
        return templates[content_type]
    if "application/json" in templates:
        return templates["application/json"]
    return next(iter(templates.values())) if len(templates) == 1 else None
