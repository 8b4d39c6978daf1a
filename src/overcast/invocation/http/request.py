"""An HTTP request as a front door hands it to Lambda: the path is relative to the front door's base
(API stage, function URL, load balancer), everything else as the client sent it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

from overcast.edge.messages import Request
from overcast.invocation import recursion

#: Media types whose bodies front doors pass as text (anything else is base64-encoded).
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml",
               "application/x-yaml", "application/yaml", "application/graphql")
_TEXT_SUFFIXES = ("+json", "+xml")


@dataclass
class HttpCall:
    method: str
    raw_path: str                     # percent-encoded, relative to the front door's base, starts with '/'
    query_string: str
    headers: list[tuple[str, str]]    # as sent, name case preserved, in order
    body: bytes
    source_ip: str
    epoch: float                      # when the front door received it
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user_agent: str = ""

    @classmethod
    def from_request(cls, req: Request, raw_path: str, epoch: float) -> HttpCall:
        headers = [(k, v) for k, v in req.headers.items()]
        call = cls(req.method, raw_path or "/", req.query_string, headers, req.body, req.client, epoch)
        call.user_agent = req.headers.get("user-agent") or ""
        return call

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(self.query_string, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == lname:
                found = value
        return found

    def trace_header(self, name: str = "X-Amzn-Trace-Id") -> str:
        """The request's X-Ray trace header; a front door that received none starts a trace and
        adds the header (as `name`) to what it forwards, as API Gateway and function URLs do."""
        found = self.header("x-amzn-trace-id")
        if found is None:
            found = f"Root={recursion.new_root(self.epoch)}"
            self.headers.append((name, found))
        return found

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def clf_time(self) -> str:
        """`04/Mar/2020:19:15:17 +0000`, as requestContext.requestTime/time carry it."""
        return dt.datetime.fromtimestamp(self.epoch, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")

    @property
    def epoch_ms(self) -> int:
        return int(self.epoch * 1000)


def is_text(content_type: str) -> bool:
    """Whether front doors that base64-encode binary bodies pass this media type as text."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


def media_type_matches(pattern: str, media_type: str) -> bool:
    """API Gateway's binaryMediaTypes entries: `image/png`, `image/*`, `*/*`."""
    pattern, media_type = pattern.strip().lower(), media_type.strip().lower()
    if not media_type:
        return False
    if pattern in ("*/*", media_type):
        return True
    if pattern.endswith("/*"):
        return media_type.split("/", 1)[0] == pattern[:-2]
    return False
