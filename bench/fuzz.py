"""Fuzz overcast's wire: property-based requests for every hosted operation, sent over HTTP to a
real server, judged by what AWS's clients can read.

Cases come from botocore's models (`hypothesis` strategies built from each operation's input
shape: required and optional members, lengths and ranges at and around their bounds, enums), are
serialized by botocore's own serializer for the service's protocol, and then, for most cases,
mutated on the wire:

- `wrong-type`, `huge`, `deep`, `invalid-utf8`: a value of the body (JSON, XML, CBOR, form) or
  the path replaced by one of the wrong type, a very large one, one nested 10,000 deep, or bytes
  that are not UTF-8;
- `deep-string`: a string member (JSON body or form parameter) replaced by a string holding a JSON
  document nested 1,000 or 10,000 deep, as a policy, definition or pattern member may carry;
- `broken-body`: the body truncated, garbage, or the protocol's syntax broken;
- `bad-chunked`: `Transfer-Encoding: chunked` or `aws-chunked` framing that lies;
- `absurd-headers`: enormous, numerous, or control-character headers, a lying `Content-Length`;
- `bad-url`: invalid percent-escapes, NUL, very long paths and query strings.

The oracle, per response: an answer within the per-request timeout (else a hang); no 5xx but the
errors a service models with that status, `501 NotImplemented` and throttling; every error
readable by botocore's parser for the protocol as a code (and success bodies readable at all);
malformed HTTP may instead be refused by uvicorn with a plain-text 400 or a closed connection
(docs/reliability.md). At the end, the server's resident memory must stay bounded.

    PYTHONPATH=src nice -n 10 python -m bench.fuzz --duration 1800 --seed 1 --report /tmp/fuzz.json

The suite runs a fixed budget of it (tests/integration/gateway/test_fuzz_wire.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import socket
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import botocore.parsers
import botocore.serialize
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.model import OperationModel, ServiceModel, Shape
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from overcast.protocol.catalog import service_metadata, service_model
from overcast.services import discover

MUTATIONS = ("none", "wrong-type", "huge", "deep", "deep-string", "invalid-utf8", "broken-body", "bad-chunked",
             "absurd-headers", "bad-url")
#: mutations that break HTTP itself: uvicorn may refuse them before overcast sees them
HTTP_LEVEL = frozenset({"bad-chunked", "absurd-headers"})
THROTTLING = frozenset({"ThrottlingException", "Throttling", "ServiceUnavailable", "SlowDown",
                        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException"})
REQUEST_TIMEOUT = 30.0
#: overcast's answer to an exception a service did not expect (a bug), whatever code it is sent under
INTERNAL_MESSAGE = b"We encountered an internal error. Please try again."
#: what the HTTP layer answers, in plain text, to requests it cannot parse (control characters in
#: headers, lying Content-Length, bad chunk sizes) or whose head is too large (edge/timeouts.py)
UVICORN_REFUSALS = frozenset({b"Invalid HTTP request received.",
                              b"The request line and headers are too large.\r\n\r\n"})
#: the fuzzed server reads requests with short timeouts, so a request whose framing lies (a chunk
#: size past the body) is answered 408 well within REQUEST_TIMEOUT instead of the default minute
SERVER_ENV = {"OVERCAST_HTTP_HEADER_TIMEOUT": "5", "OVERCAST_HTTP_BODY_TIMEOUT": "5"}


# -- the operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    service: str        # overcast's service name
    model_name: str
    operation: str


@cache
def targets() -> tuple[Target, ...]:
    """Every operation of every hosted service."""
    found: list[Target] = []
    for spec in discover():
        model = service_model(spec.model_name)
        found.extend(Target(spec.name, spec.model_name, name) for name in model.operation_names)
    return tuple(found)


def signing_name(model_name: str) -> str:
    metadata = service_metadata(model_name)
    return str(metadata.get("signingName") or metadata["endpointPrefix"])


# -- values from shapes ---------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


def _string(shape: Shape) -> st.SearchStrategy[str]:
    enum = shape.metadata.get("enum")
    if enum:
        return st.one_of(st.sampled_from(enum), _TEXT)
    low = int(shape.metadata.get("min", 0))
    high = int(shape.metadata.get("max", 64))
    options = [_NAME, _TEXT, st.just("a" * low)]
    if high <= 4096:
        options += [st.just("a" * high), st.just("a" * (high + 1))]
    if low > 0:
        options.append(st.just("a" * (low - 1)))
    return st.one_of(options)


def _number(shape: Shape) -> st.SearchStrategy[Any]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if shape.type_name in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False, width=32, min_value=-1e9, max_value=1e9)
    edges = [v for bound in (low, high) if bound is not None for v in (int(bound) - 1, int(bound), int(bound) + 1)]
    limit = 2**31 - 1 if shape.type_name == "integer" else 2**63 - 1
    return st.one_of(st.integers(-limit - 1, limit), st.sampled_from(edges or [0]))


def value_of(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of `shape` as botocore's serializers take them."""
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return st.just({"k": [1, "v"]})
        members = shape.members
        required = {name: value_of(members[name], depth + 1) for name in shape.required_members if name in members}
        if depth >= 3:
            return st.fixed_dictionaries(required)
        optional = {name: value_of(member, depth + 1) for name, member in list(members.items())[:10]
                    if name not in required and not member.serialization.get("eventstream")}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        if depth >= 3:
            return st.just([])
        return st.lists(value_of(shape.member, depth + 1), max_size=3)
    if kind == "map":
        if depth >= 3:
            return st.just({})
        return st.dictionaries(_NAME, value_of(shape.value, depth + 1), max_size=3)
    if kind == "string":
        return _string(shape)
    if kind in ("integer", "long", "float", "double"):
        return _number(shape)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1),
                            timezones=st.just(dt.UTC))
    if kind == "blob":
        return st.binary(max_size=64)
    return st.none()


@cache
def params_of(model_name: str, operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = service_model(model_name).operation_model(operation).input_shape
    return value_of(shape) if shape is not None else st.just({})


# -- requests -------------------------------------------------------------------------------------


@dataclass
class RawRequest:
    method: str
    path: str                                   # path and query, as sent
    headers: list[tuple[str, str]]
    body: bytes
    raw_head: bytes | None = None               # the whole head, verbatim (HTTP-level mutations)


def serialize(model: ServiceModel, op: OperationModel, params: dict[str, Any], port: int) -> RawRequest:
    """The request botocore would send for `params` (signed with a scope only: overcast does not
    check signatures unless asked to)."""
    protocol = model.metadata["protocol"]
    serializer = botocore.serialize.create_serializer(protocol, include_validation=False)
    request = serializer.serialize_to_request(params, op)
    prepare_request_dict(request, endpoint_url=f"http://127.0.0.1:{port}")
    prepared = create_request_object(request).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else bytes(body)
    path = prepared.url.split(f":{port}", 1)[1] or "/"
    scope = f"test/20260101/us-east-1/{signing_name(model.service_name)}/aws4_request"
    headers = [(k, v if isinstance(v, str) else v.decode()) for k, v in prepared.headers.items()]
    headers = [(k, v) for k, v in headers if k.lower() not in ("content-length", "host", "authorization")]
    headers += [("Host", f"127.0.0.1:{port}"), ("X-Amz-Date", "20260101T000000Z"),
                ("Authorization", f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0")]
    return RawRequest(prepared.method, path, headers, body)


def _deep_json(n: int = 10_000) -> bytes:
    return b"[" * n + b"]" * n


def mutate(req: RawRequest, mutation: str, rnd: random.Random) -> RawRequest:
    """Apply one wire mutation (see the module's docstring)."""
    body = req.body
    content_type = next((v for k, v in req.headers if k.lower() == "content-type"), "")
    if mutation == "wrong-type":
        req.body = _retype(body, content_type, rnd)
    elif mutation == "huge":
        req.body = _replace_value(body, content_type, rnd, "x" * rnd.choice([70_000, 300_000, 2_000_000]))
    elif mutation == "deep":
        if "json" in content_type or body[:1] in (b"{", b"["):
            req.body = b'{"a":' + _deep_json() + b"}"
        elif "xml" in content_type or body[:1] == b"<":
            req.body = b"<a>" * 10_000 + b"</a>" * 10_000
        elif "cbor" in content_type:
            req.body = b"\x81" * 10_000 + b"\x80"  # arrays of one array, 10,000 deep
        else:
            req.body = body + b"&Deep=" + quote(_deep_json(2000).decode()).encode()
    elif mutation == "deep-string":
        req.body = _deep_string(body, content_type, rnd)
    elif mutation == "invalid-utf8":
        bad = rnd.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])
        if body and rnd.random() < 0.7:
            at = rnd.randrange(len(body) + 1)
            req.body = body[:at] + bad + body[at:]
        else:
            req.path = _insert_in_path(req.path, "".join(f"%{b:02x}" for b in bad), rnd)
    elif mutation == "broken-body":
        choice = rnd.randrange(4)
        if choice == 0 and body:
            req.body = body[:rnd.randrange(len(body))]
        elif choice == 1:
            req.body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(1, 200)))
        elif choice == 2:
            req.body = rnd.choice([b"{", b"<a>", b"\xbf", b"null", b"[1,2]", b'{"a":1,}', b"\x9f\xff\xff"])
        else:
            req.body = body.replace(b'"', b"", 1).replace(b"<", b"", 1)
    elif mutation == "bad-chunked":
        _bad_chunked(req, rnd)
    elif mutation == "absurd-headers":
        _absurd_headers(req, rnd)
    elif mutation == "bad-url":
        req.path = _insert_in_path(req.path, rnd.choice(["%zz", "%00", "%", "a" * 9000, "%2e%2e/%2e%2e",
                                                         "?" + "&".join(f"p{i}=v" for i in range(2000))]), rnd)
    return req


def _insert_in_path(path: str, text: str, rnd: random.Random) -> str:
    base, sep, query = path.partition("?")
    if text.startswith("?"):
        return base + text + ("&" + query if query else "")
    return base.rstrip("/") + "/" + text + (sep + query if sep else "")


def _json_member_replaced(body: bytes, rnd: random.Random, value: Any) -> bytes | None:
    """A JSON body with one top-level member (picked by `rnd`) set to `value`; b"" when the body is
    not an object with members, None when it is not JSON at all."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict) or not document:
        return b""
    document[rnd.choice(sorted(document))] = value
    return json.dumps(document).encode()


def _retype(body: bytes, content_type: str, rnd: random.Random) -> bytes:
    wrong: Any = rnd.choice([[], {}, "text", 12345678901234567890, True, None, 1.5, [[[]]], {"S": {"S": 1}}])
    if body[:1] == b"{":
        replaced = _json_member_replaced(body, rnd, wrong)
        return body if replaced is None else replaced or json.dumps(wrong).encode()
    if "x-www-form-urlencoded" in content_type:
        pairs = body.split(b"&")
        index = rnd.randrange(len(pairs))
        key = pairs[index].split(b"=", 1)[0]
        pairs[index] = key + b"=" + rnd.choice([b"not-a-number", b"9" * 400, b"-1", b"", b"%ff", b"true"])
        return b"&".join(pairs)
    return body


def _replace_value(body: bytes, content_type: str, rnd: random.Random, value: str) -> bytes:
    if body[:1] == b"{":
        replaced = _json_member_replaced(body, rnd, value)
        return body if replaced is None else replaced or body
    if "x-www-form-urlencoded" in content_type and body:
        return body + b"&" + body.split(b"=", 1)[0] + b"=" + value.encode()
    return body + value.encode()


def _deep_string(body: bytes, content_type: str, rnd: random.Random) -> bytes:
    """A string member's value replaced by a deeply nested JSON document (as text)."""
    depth = rnd.choice([1000, 10_000])
    text = rnd.choice(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
    if body[:1] == b"{":
        try:
            document = json.loads(body)
        except ValueError:
            return body
        strings = sorted(k for k, v in document.items() if isinstance(v, str)) if isinstance(document, dict) else []
        if strings:
            document[rnd.choice(strings)] = text
        return json.dumps(document).encode()
    if "x-www-form-urlencoded" in content_type and body:
        pairs = body.split(b"&")
        index = rnd.randrange(len(pairs))
        key = pairs[index].split(b"=", 1)[0]
        if key not in (b"Action", b"Version"):
            pairs[index] = key + b"=" + quote(text).encode()
        return b"&".join(pairs)
    return body


def _bad_chunked(req: RawRequest, rnd: random.Random) -> None:
    body = req.body or b"payload"
    headers = [(k, v) for k, v in req.headers if k.lower() not in ("content-length", "transfer-encoding")]
    kind = rnd.randrange(4)
    if kind == 0:  # chunk sizes that lie
        framed = f"{len(body) + rnd.randrange(1, 50):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        req.headers, req.body = [*headers, ("Transfer-Encoding", "chunked")], framed
    elif kind == 1:  # a chunk size that is not hex
        req.headers, req.body = [*headers, ("Transfer-Encoding", "chunked")], b"zz\r\n" + body + b"\r\n0\r\n\r\n"
    elif kind == 2:  # aws-chunked framing that lies (S3 uploads)
        framed = (f"{len(body) + 7:x};chunk-signature={'0' * 64}\r\n".encode() + body
                  + b"\r\n0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n")
        req.headers = [*headers, ("Content-Encoding", "aws-chunked"), ("Content-Length", str(len(framed))),
                       ("x-amz-decoded-content-length", str(len(body))),
                       ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")]
        req.body = framed
    else:  # aws-chunked with garbage
        req.headers = [*headers, ("Content-Encoding", "aws-chunked"), ("Content-Length", str(len(body))),
                       ("x-amz-decoded-content-length", "99999999999999999999999"),
                       ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")]
    req.raw_head = b""  # framed by hand: no Content-Length added


def _absurd_headers(req: RawRequest, rnd: random.Random) -> None:
    kind = rnd.randrange(5)
    if kind == 0:
        req.headers.append(("X-Absurd", "v" * rnd.choice([8_000, 60_000])))
    elif kind == 1:
        req.headers.extend((f"X-Many-{i}", "v") for i in range(500))
    elif kind == 2:
        req.headers.append(("X-Control", "a\x01b\x7fc"))
    elif kind == 3:
        req.headers = [(k, v) for k, v in req.headers if k.lower() != "content-length"]
        req.headers.append(("Content-Length", rnd.choice(["-1", "abc", "99999999999999999999", "1, 2"])))
        req.raw_head = b""
    else:
        req.headers = [(k, "\u00e9\u00ff" * 50 if k.lower() in ("x-amz-target", "content-type") else v)
                       for k, v in req.headers]


# -- sending ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Hang(Exception):
    pass


def send(port: int, req: RawRequest, timeout: float = REQUEST_TIMEOUT) -> Answer | None:
    """Send `req` verbatim on a fresh connection; None when the server closed it without an answer."""
    head = [f"{req.method} {req.path} HTTP/1.1"]
    head += [f"{k}: {v}" for k, v in req.headers]
    if req.raw_head is None:
        head.append(f"Content-Length: {len(req.body)}")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogateescape") + req.body
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading everything
        response = http.client.HTTPResponse(sock, method=req.method)
        try:
            response.begin()
            body = response.read()
        except TimeoutError:
            raise Hang() from None
        except (http.client.RemoteDisconnected, ConnectionError, http.client.IncompleteRead):
            return None
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        sock.close()


# -- the oracle ---------------------------------------------------------------------------------------


@dataclass
class Finding:
    target: str
    mutation: str
    problem: str
    request: str

    def key(self) -> str:
        return f"{self.target} {self.mutation}: {self.problem[:120]}"


def judge(model: ServiceModel, op: OperationModel, mutation: str, answer: Answer | None) -> str | None:
    """What is wrong with an answer, or None."""
    if answer is None:
        return None if mutation in HTTP_LEVEL else "connection closed without an answer"
    if answer.status in (400, 431) and answer.headers.get("content-type", "").startswith("text/plain") \
            and answer.body in UVICORN_REFUSALS:
        return None  # refused as malformed HTTP before any service saw it (docs/reliability.md)
    if answer.status == 408:
        return None
    code, parse_problem = _error_code(model, op, answer)
    if parse_problem:
        return parse_problem
    if answer.status >= 500 and (INTERNAL_MESSAGE in answer.body or not _documented_5xx(model, code, answer.status)):
        return f"{answer.status} {code}: {answer.body[:200]!r}"
    return None


def _error_code(model: ServiceModel, op: OperationModel, answer: Answer) -> tuple[str, str | None]:
    protocol = model.metadata["protocol"]
    if answer.headers.get("smithy-protocol") == "rpc-v2-cbor":
        protocol = "smithy-rpc-v2-cbor"
    elif protocol == "smithy-rpc-v2-cbor" and "json" in answer.headers.get("content-type", ""):
        protocol = "json"
    parser = botocore.parsers.create_parser(protocol)
    response = {"status_code": answer.status, "headers": answer.headers, "body": answer.body}
    shape = op.output_shape if answer.status < 300 else None
    if answer.status < 300 and shape is not None and shape.serialization.get("payload"):
        payload = shape.members[shape.serialization["payload"]]
        if payload.type_name == "blob" or payload.serialization.get("eventstream"):
            return "", None  # a raw or streamed payload
    try:
        parsed = parser.parse(response, shape)
    except Exception as exc:
        return "", f"botocore cannot parse the {answer.status} answer: {type(exc).__name__}: {exc}"[:300]
    if answer.status < 300:
        return "", None
    code = str(parsed.get("Error", {}).get("Code") or "")
    if not code or code == str(answer.status):
        if op.http.get("method") == "HEAD" or answer.status in (304,):
            return code, None  # HEAD answers carry no body (S3 HeadObject)
        return code, f"{answer.status} error without an AWS error code: {answer.body[:200]!r}"
    return code, None


def _documented_5xx(model: ServiceModel, code: str, status: int) -> bool:
    if status == 501 and code in ("NotImplemented", "NotImplementedException"):
        return True
    if code in THROTTLING:
        return True
    if code in model.shape_names:
        error = model.shape_for(code).metadata.get("error") or {}
        return int(error.get("httpStatusCode", 0)) == status
    return False


# -- a run --------------------------------------------------------------------------------------------


@dataclass
class Run:
    port: int
    pid: int | None = None
    cases: int = 0
    by_mutation: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    findings: dict[str, Finding] = field(default_factory=dict)
    rss_start_kb: int = 0
    rss_peak_kb: int = 0
    verbose: bool = False

    def case(self, target: Target, params: dict[str, Any], mutation: str, rnd: random.Random) -> None:
        model = service_model(target.model_name)
        op = model.operation_model(target.operation)
        try:
            req = serialize(model, op, params, self.port)
        except Exception:
            return
        req = mutate(req, mutation, rnd)
        self.cases += 1
        self.by_mutation[mutation] += 1
        name = f"{target.service}.{target.operation}"
        try:
            answer = send(self.port, req)
        except Hang:
            problem: str | None = f"no answer within {REQUEST_TIMEOUT:.0f} s"
        except OSError as exc:
            problem = None if mutation in HTTP_LEVEL else f"connection error: {exc}"
            answer = None
        else:
            if answer is not None:
                self.statuses[answer.status] += 1
            problem = judge(model, op, mutation, answer)
        if problem is not None:
            finding = Finding(name, mutation, problem, f"{req.method} {req.path[:2000]} {req.body[:4000]!r}")
            if finding.key() not in self.findings:
                self.findings[finding.key()] = finding
                if self.verbose:
                    print(f"FINDING {finding.key()}\n    {finding.request[:500]}", file=sys.stderr, flush=True)
        if self.cases % 50 == 0:
            self.sample_rss()

    def sample_rss(self) -> None:
        rss = rss_kb(self.pid)
        self.rss_start_kb = self.rss_start_kb or rss
        self.rss_peak_kb = max(self.rss_peak_kb, rss)

    def summary(self) -> dict[str, Any]:
        return {"cases": self.cases, "by_mutation": dict(self.by_mutation),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "findings": [vars(f) for f in self.findings.values()],
                "rss_start_mb": round(self.rss_start_kb / 1024, 1), "rss_peak_mb": round(self.rss_peak_kb / 1024, 1)}


def rss_kb(pid: int | None) -> int:
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def cases(chosen: tuple[Target, ...], mutation_weight: float = 0.7) -> st.SearchStrategy[Any]:
    """(target, params, mutation, random seed) cases over `chosen` operations."""
    mutations = st.sampled_from(MUTATIONS[1:])
    return st.sampled_from(chosen).flatmap(lambda t: st.tuples(
        st.just(t), params_of(t.model_name, t.operation),
        st.one_of(st.just("none"), mutations, mutations) if mutation_weight < 1 else mutations,
        st.integers(0, 2**32 - 1)))


def run_round(run: Run, chosen: tuple[Target, ...], examples: int, round_seed: int,
              deadline: float | None = None) -> None:
    """One hypothesis round of `examples` cases (generation only: a finding is recorded, not shrunk)."""
    @seed(round_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(cases(chosen))
    def body(case: tuple[Target, dict[str, Any], str, int]) -> None:
        if deadline is not None and time.monotonic() > deadline:
            return
        target, params, mutation, salt = case
        run.case(target, params, mutation, random.Random(salt))

    body()


def every_operation_once(run: Run, chosen: tuple[Target, ...], mutation: str = "none") -> None:
    """Each operation once, with its required members at their smallest (deterministic)."""
    rnd = random.Random(0)
    for target in chosen:
        shape = service_model(target.model_name).operation_model(target.operation).input_shape
        run.case(target, minimal(shape) if shape is not None else {}, mutation, rnd)


def minimal(shape: Shape, depth: int = 0) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if depth > 4:
            return {}
        return {name: minimal(shape.members[name], depth + 1) for name in shape.required_members
                if name in shape.members}
    if kind == "list":
        return []
    if kind == "map":
        return {}
    if kind == "string":
        enum = shape.metadata.get("enum")
        return enum[0] if enum else "a" * max(1, int(shape.metadata.get("min", 1)))
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return 1.0
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if kind == "blob":
        return b"a"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=600, help="seconds to fuzz (default 600)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--round", type=int, default=200, help="cases per hypothesis round")
    parser.add_argument("--service", action="append", help="only these services (repeatable)")
    parser.add_argument("--report", help="write the summary as JSON here")
    parser.add_argument("--port", type=int, help="fuzz a running overcast on this port (else start one)")
    args = parser.parse_args(argv)
    chosen = tuple(t for t in targets() if not args.service or t.service in args.service)
    served = _server(args.port)
    with served as (port, pid):
        run = Run(port, pid, verbose=True)
        run.sample_rss()
        started = time.monotonic()
        deadline = started + args.duration
        every_operation_once(run, chosen)
        for index in _count():
            if time.monotonic() > deadline:
                break
            run_round(run, chosen, args.round, args.seed * 1_000_003 + index, deadline)
            _progress(run, started)
        run.sample_rss()
        crashes = served.crashes()
        if crashes and args.report and served.server is not None:  # keep the tracebacks
            shutil.copyfile(served.server.log_path, f"{args.report}.server.log")
    summary = {**run.summary(), "seed": args.seed, "server_logged_failures": crashes, "seconds": round(time.monotonic() - started),
               "operations": len(chosen)}
    if args.report:
        with open(args.report, "w") as handle:
            json.dump(summary, handle, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "findings"}, indent=1))
    for finding in run.findings.values():
        print(f"FINDING {finding.key()}\n    {finding.request[:300]}")
    return 1 if run.findings or crashes else 0


def _count() -> Iterator[int]:
    index = 0
    while True:
        yield index
        index += 1


def _progress(run: Run, started: float) -> None:
    print(f"{time.monotonic() - started:7.0f}s {run.cases} cases, {len(run.findings)} findings, "
          f"rss {run.rss_peak_kb // 1024} MB", file=sys.stderr, flush=True)


class _server:
    """A fresh overcast for the run (or the one on --port)."""

    def __init__(self, port: int | None) -> None:
        self.port = port
        self.server: Any = None

    def __enter__(self) -> tuple[int, int | None]:
        if self.port:
            return self.port, None
        from overcast.testing import OvercastServer

        os.environ.setdefault("OVERCAST_TIME_SCALE", "0.01")
        self.server = OvercastServer(env=SERVER_ENV).start()
        return self.server.port, self.server.process.pid

    def crashes(self) -> list[str]:
        """The operations the server logged an unexpected exception for (`<service>.<Op> failed`)."""
        if self.server is None:
            return []
        return sorted({line.split("overcast.gateway: ", 1)[1] for line in self.server.log_text().splitlines()
                       if "ERROR overcast.gateway: " in line})

    def __exit__(self, *exc: Any) -> None:
        if self.server is not None:
            self.server.close()


def build(target: Target, params: dict[str, Any], port: int) -> RawRequest:
    """The request for one case (for tests and reproducing a finding)."""
    model = service_model(target.model_name)
    return serialize(model, model.operation_model(target.operation), params, port)



if __name__ == "__main__":
    sys.exit(main())
