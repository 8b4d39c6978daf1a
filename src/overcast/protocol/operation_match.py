"""Matching a REST request (rest-json, rest-xml) to the operation whose URI template it fits.

Many templates overlap: S3 answers `GET /{Bucket}/{Key+}` with GetObject, or with ListParts when
`uploadId` is in the query string; `PUT /{Bucket}/{Key+}` is PutObject, CopyObject (with an
`x-amz-copy-source` header), UploadPart (`partNumber` and `uploadId`) or UploadPartCopy (both); API
Gateway's `POST /restapis?mode=import` is ImportRestApi, not CreateRestApi. The most specific
route wins, judged in this order:

1. the operation named by an `x-id` query parameter (older botocore models put it in every S3 URI);
2. the path: more literal segments, literals further left, no greedy label;
3. more literal query keys in the template (`?uploads`, `?list-type=2`);
4. fewer of the operation's required query-string and header members missing from the request,
   then more of them present;
5. an operation that is not deprecated (GetBucketLifecycle and GetBucketLifecycleConfiguration
   share one request; AWS answers it as the newer one).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel

from overcast.edge.messages import Request
from overcast.errors import UnknownOperation

#: Query keys a URI template may carry that clients need not send.
_OPTIONAL_QUERY_LITERALS = frozenset({"x-id"})

Segment = tuple[str, str]  # ("lit", text) | ("label", name) | ("greedy", name)


@dataclass(frozen=True)
class Route:
    op_name: str
    method: str
    segments: tuple[Segment, ...]
    #: literal query keys of the template, with the value they must have (None: any)
    query: tuple[tuple[str, str | None], ...]
    #: wire names of required members in the query string / in headers (lower case)
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    #: specificity known before seeing a request (rules 2 and 3); higher wins
    rank: tuple[int, ...]
    deprecated: bool


def compile_route(op: OperationModel) -> Route:
    path, _, qs = op.http.get("requestUri", "/").partition("?")
    segments: list[Segment] = []
    for part in path.lstrip("/").split("/"):
        if not part:
            continue
        if part.startswith("{") and part.endswith("+}"):
            segments.append(("greedy", part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            segments.append(("label", part[1:-1]))
        else:
            segments.append(("lit", part))
    query: list[tuple[str, str | None]] = []
    for item in qs.split("&") if qs else ():
        key, eq, value = item.partition("=")
        query.append((key, value if eq else None))
    required_query: list[str] = []
    required_headers: list[str] = []
    shape = op.input_shape
    for name in shape.required_members if shape is not None else ():
        member = shape.members[name]
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "querystring":
            required_query.append(wire)
        elif location == "header":
            required_headers.append(wire.lower())
    literals = tuple(1 if kind == "lit" else 0 for kind, _ in segments)
    greedy = any(kind == "greedy" for kind, _ in segments)
    query_literals = sum(1 for key, _ in query if key not in _OPTIONAL_QUERY_LITERALS)
    rank = (sum(literals), *literals, 0 if greedy else 1, query_literals)
    return Route(op.name, op.http.get("method", "POST"), tuple(segments), tuple(query), tuple(required_query),
                 tuple(required_headers), rank, bool(getattr(op, "deprecated", False)))


@lru_cache(maxsize=4096)
def route_of(op: OperationModel) -> Route:
    return compile_route(op)


@lru_cache(maxsize=64)
def routes_by_method(model: ServiceModel) -> dict[str, list[Route]]:
    """Each HTTP method's routes, most specific first (by what the template alone says)."""
    table: dict[str, list[Route]] = {}
    for name in model.operation_names:
        route = route_of(model.operation_model(name))
        table.setdefault(route.method, []).append(route)
    for routes in table.values():
        routes.sort(key=lambda r: r.rank, reverse=True)
    return table


def split_path(raw_path: str) -> list[str]:
    """Path segments, still percent-encoded; a trailing slash gives a last empty segment."""
    path = raw_path.split("?", 1)[0]
    path = path[1:] if path.startswith("/") else path
    return path.split("/") if path else []


def match_path(route: Route, parts: list[str]) -> dict[str, str] | None:
    """The URI labels when `parts` fit the route's path, else None."""
    labels: dict[str, str] = {}
    segs = route.segments
    for index, (kind, text) in enumerate(segs):
        if kind == "greedy":
            rest = "/".join(parts[index:])
            if not rest:
                return None
            labels[text] = unquote(rest, errors="surrogateescape")  # invalid UTF-8 stays distinct
            return labels
        if index >= len(parts) or not parts[index]:
            return None
        if kind == "lit":
            if parts[index] != text:
                return None
        else:
            labels[text] = unquote(parts[index], errors="surrogateescape")
    extra = parts[len(segs):]
    if extra and extra != [""]:  # a trailing slash is allowed
        return None
    return labels


def _query_fits(route: Route, req: Request) -> bool:
    for key, value in route.query:
        if key in _OPTIONAL_QUERY_LITERALS:
            continue
        if value is None:
            if not req.query_has(key):
                return False
        elif req.query_get(key) != value:
            return False
    return True


def _fit(route: Route, req: Request, xid: str | None) -> tuple[object, ...]:
    present = sum(1 for key in route.required_query if req.query_has(key))
    present += sum(1 for name in route.required_headers if name in req.headers)
    missing = len(route.required_query) + len(route.required_headers) - present
    return (route.op_name == xid, route.rank, -missing, present, not route.deprecated)


def find_route(model: ServiceModel, req: Request, only: str | None = None
               ) -> tuple[tuple[object, ...], Route, dict[str, str]] | None:
    """The best route for `req` with how well it fits (comparable across services) and its URI
    labels, or None. `only` restricts the search to one operation (a service's own hint)."""
    parts = split_path(req.raw_path)
    xid = req.query_get("x-id") if "x-id=" in req.query_string else None
    best: tuple[tuple[object, ...], Route, dict[str, str]] | None = None
    for route in routes_by_method(model).get(req.method, ()):
        if only is not None and route.op_name != only:
            continue
        if best is not None and xid is None and route.rank < best[1].rank:
            break  # every route left is less specific than the one found
        labels = match_path(route, parts)
        if labels is None or not _query_fits(route, req):
            continue
        fit = _fit(route, req, xid)
        if best is None or fit > best[0]:
            best = (fit, route, labels)
    return best


def match_operation(model: ServiceModel, req: Request, only: str | None = None
                    ) -> tuple[OperationModel, dict[str, str]]:
    """The operation `req` calls and its URI labels; an AWS-shaped 404 when none fits."""
    found = find_route(model, req, only) if only is not None else None
    if found is None:
        found = find_route(model, req)
    if found is None:
        raise UnknownOperation(f"No operation matches {req.method} {req.path}", code="UnknownOperationException",
                               status=404)
    return model.operation_model(found[1].op_name), found[2]
