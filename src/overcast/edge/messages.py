"""HTTP request and response as the protocol layer sees them (independent of ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus


def parse_form(text: str) -> list[tuple[str, str]]:
    """`a=1&b=x+y` → [("a", "1"), ("b", "x y")]: `parse_qsl(text, keep_blank_values=True)`,
    without its overhead (this runs for every query-protocol request)."""
    pairs: list[tuple[str, str]] = []
    for part in text.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


class Headers:
    """Case-insensitive, multi-valued request headers."""

    __slots__ = ("_index", "raw")

    def __init__(self, raw: Iterable[tuple[str, str]] = ()) -> None:
        self.raw: list[tuple[str, str]] = list(raw)
        index: dict[str, list[str]] = {}
        for name, value in self.raw:
            index.setdefault(name.lower(), []).append(value)
        self._index = index

    @classmethod
    def from_asgi(cls, raw: list[tuple[bytes, bytes]]) -> Headers:
        """From an ASGI scope's header list (names lower-case, as ASGI requires)."""
        headers = cls.__new__(cls)
        pairs = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in raw]
        index: dict[str, list[str]] = {}
        for name, value in pairs:
            index.setdefault(name, []).append(value)
        headers.raw = pairs
        headers._index = index
        return headers

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._index.get(name.lower())
        return values[-1] if values else default

    def get_all(self, name: str) -> list[str]:
        return list(self._index.get(name.lower(), ()))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def items(self) -> Iterable[tuple[str, str]]:
        return iter(self.raw)

    def lower_items(self) -> Iterable[tuple[str, list[str]]]:
        return self._index.items()


class BodyStream:
    """A request body read chunk by chunk (for streaming uploads); iterate it once."""

    def __init__(self, receive: Callable[[], Awaitable[dict]], first: bytes = b"", more: bool = True) -> None:
        self._receive = receive
        self._first = first
        self._more = more

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._first:
            yield self._first
        while self._more:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("client disconnected during upload")
            chunk = message.get("body", b"")
            self._more = message.get("more_body", False)
            if chunk:
                yield chunk

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self])

    @property
    def exhausted(self) -> bool:
        """Whether the whole body has been received."""
        return not self._more


@dataclass
class Request:
    method: str
    raw_path: str                     # percent-encoded path as sent
    query_string: str = ""
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    client: str = "127.0.0.1"
    scheme: str = "http"
    stream: BodyStream | None = None  # set instead of `body` for streaming uploads

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    @property
    def host(self) -> str:
        return self.headers.get("host", "localhost") or "localhost"

    @property
    def hostname(self) -> str:
        host = self.host
        if host.startswith("["):
            return host[: host.index("]") + 1]
        return host.rsplit(":", 1)[0] if ":" in host else host

    @property
    def query(self) -> list[tuple[str, str]]:
        cached = self.__dict__.get("_query")
        if cached is None:
            cached = parse_form(self.query_string)
            self.__dict__["_query"] = cached
        return cached

    def query_get(self, name: str, default: str | None = None) -> str | None:
        for key, value in reversed(self.query):
            if key == name:
                return value
        return default

    def query_has(self, name: str) -> bool:
        return any(key == name for key, _ in self.query)


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterator[bytes] = b""

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        lname = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lname]
        self.headers.append((name, value))


def json_response(status: int, payload: bytes | str, headers: Iterable[tuple[str, str]] = ()) -> Response:
    body = payload.encode() if isinstance(payload, str) else payload
    return Response(status, [("Content-Type", "application/json"), *headers], body)
