"""The AWS Parameters and Secrets Lambda Extension's HTTP endpoint, as functions see it
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html,
https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html).

- `GET /secretsmanager/get?secretId=..[&versionId=..|&versionStage=..]`: GetSecretValue's result.
- `GET /systemsmanager/parameters/get?name=..[&version=..|&label=..][&withDecryption=true]`:
  GetParameter's result.

Each request must carry `X-Aws-Parameters-Secrets-Token` with the environment's
AWS_SESSION_TOKEN: that is how the listener knows the caller's account, region and settings
(one listener serves all of a platform's environments: invocation/localhost.py says where it
listens). The answer is the API's result as JSON with ISO-8601 dates and `ResultMetadata`, the
way the extension marshals the SDK's output; an error from the service is its HTTP status with the
SDK's error text. Values are cached per environment as the extension does: for
SECRETS_MANAGER_TTL / SSM_PARAMETER_STORE_TTL seconds (default 300, 0 turns caching off; real
seconds, as a function's timeout is), at most PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE
entries (default 1000), unless PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED is false.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import inspect
import json
import logging
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, urlsplit

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.invocation.localhost import SIGNAL, LocalHost
from overcast.invocation.sync import Invoker
from overcast.platform import Platform

log = logging.getLogger("overcast.secretsmanager.extension")

TOKEN_HEADER = "x-aws-parameters-secrets-token"
IDLE_WAIT = 30.0
DEFAULT_TTL = 300
DEFAULT_CACHE_SIZE = 1000


class Reply(Exception):
    """An answer other than 200."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(body)
        self.status, self.body = status, body


class ExtensionServer:
    """The listeners of one platform, and each environment's cache."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.servers: dict[int, asyncio.AbstractServer] = {}
        self.caches: dict[str, OrderedDict[str, tuple[float, bytes]]] = {}
        platform.on_reset(self.caches.clear)

    async def serve_new(self) -> None:
        for port, sock in list(self.platform.component(LocalHost).sockets.items()):
            if port not in self.servers:
                self.servers[port] = await asyncio.start_server(self._client, sock=sock)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                method, target, headers = _parse(head)
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                status, body = await self.answer(method, target, headers)
                keep = headers.get("connection", "").lower() != "close"
                kind = "application/json" if status == 200 else "text/plain; charset=utf-8"
                writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: {kind}\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: {'keep-alive' if keep else 'close'}"
                             f"\r\n\r\n".encode() + body)
                await writer.drain()
                if not keep:
                    return
        except Exception:  # a bug must not take the listener down
            log.exception("extension request failed")
        finally:
            writer.close()

    async def answer(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            if method != "GET":
                raise Reply(405, "method not allowed")
            parts = urlsplit(target)
            path = parts.path.rstrip("/")
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if path not in ("/secretsmanager/get", "/systemsmanager/parameters/get"):
                raise Reply(404, "not found")
            env = self._environment(headers.get(TOKEN_HEADER))
            variables = env.spec.variables
            secrets = path.startswith("/secretsmanager")
            ttl = _number(variables.get("SECRETS_MANAGER_TTL" if secrets else "SSM_PARAMETER_STORE_TTL"), DEFAULT_TTL)
            cache = self._cache(env, variables, ttl)
            key = f"{path}?{sorted(query.items())}"
            now = self.platform.clock.now()
            if cache is not None and key in cache and cache[key][0] > now:
                cache.move_to_end(key)
                return 200, cache[key][1]
            body = await (self._secret(env, query) if secrets else self._parameter(env, query))
            if cache is not None:
                # real seconds: the cache lives in the function's environment, like its timeout
                cache[key] = (self.platform.clock.now() + ttl, body)
                while len(cache) > _number(variables.get("PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE"),
                                           DEFAULT_CACHE_SIZE):
                    cache.popitem(last=False)
            return 200, body
        except Reply as reply:
            return reply.status, reply.body.encode()

    def _environment(self, token: str | None) -> Any:
        if not token:
            raise Reply(401, "missing X-Aws-Parameters-Secrets-Token header")
        for env in self.platform.component(Invoker).pool.environments:
            if env.meta.get("session_token") == token:
                return env
        raise Reply(401, "invalid X-Aws-Parameters-Secrets-Token header")

    def _cache(self, env: Any, variables: dict[str, str], ttl: int) -> OrderedDict[str, tuple[float, bytes]] | None:
        enabled = str(variables.get("PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED", "true")).lower() != "false"
        size = _number(variables.get("PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE"), DEFAULT_CACHE_SIZE)
        if not enabled or ttl <= 0 or size <= 0:
            return None
        return self.caches.setdefault(env.meta["session_token"], OrderedDict())

    async def _secret(self, env: Any, query: dict[str, str]) -> bytes:
        if not query.get("secretId"):
            raise Reply(400, "missing required parameter secretId")
        args = {"secret_id": query["secretId"]}
        if query.get("versionId"):
            args["version_id"] = query["versionId"]
        if query.get("versionStage"):
            args["version_stage"] = query["versionStage"]
        result = await self._call(env, "secretsmanager", "GetSecretValue", "Secrets Manager", args)
        out = {"ARN": result["ARN"], "CreatedDate": _iso(result.get("CreatedDate")), "Name": result["Name"],
               "SecretBinary": _b64(result.get("SecretBinary")), "SecretString": result.get("SecretString"),
               "VersionId": result["VersionId"], "VersionStages": result["VersionStages"], "ResultMetadata": {}}
        return json.dumps(out).encode()

    async def _parameter(self, env: Any, query: dict[str, str]) -> bytes:
        name = query.get("name")
        if not name:
            raise Reply(400, "missing required parameter name")
        if query.get("version") and query.get("label"):
            raise Reply(400, "version and label can't be used together")
        if query.get("version") or query.get("label"):
            name = f"{name}:{query.get('version') or query.get('label')}"
        decrypt = query.get("withDecryption", "").lower() == "true"
        result = await self._call(env, "ssm", "GetParameter", "SSM", {"name": name, "with_decryption": decrypt})
        parameter = dict(result["Parameter"])
        parameter["LastModifiedDate"] = _iso(parameter.get("LastModifiedDate"))
        for key in ("Selector", "SourceResult"):
            parameter.setdefault(key, None)
        return json.dumps({"Parameter": parameter, "ResultMetadata": {}}).encode()

    async def _call(self, env: Any, service: str, operation: str, label: str, args: dict[str, Any]) -> Any:
        """The service's operation, as the environment's execution role calls it."""
        ctx = RequestContext(account=env.meta["account"], region=env.meta["region"], service=service,
                             operation=operation)
        gateway = self.platform.gateway
        method = getattr(gateway.api(service), _snake(operation)) if gateway is not None else None
        if method is None:
            raise Reply(500, f"{label} is not available")
        try:
            result = method(ctx, **args)
            return await result if inspect.isawaitable(result) else result
        except ServiceError as error:
            raise Reply(error.status, f"operation error {label}: {operation}, https response error StatusCode: "
                                      f"{error.status}, RequestID: {ctx.request_id}, {error.code}: "
                                      f"{error.message}") from None


async def extension_loop(platform: Platform) -> None:
    """One round: serve the ports environments asked for, then wait for another."""
    await platform.component(ExtensionServer).serve_new()
    await platform.signals.wait(SIGNAL, IDLE_WAIT)


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error"}


def _parse(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target = [*lines[0].split(" "), "", ""][:2]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _number(text: str | None, default: int) -> int:
    return int(text) if text is not None and str(text).strip().isdigit() else default


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(float(value), dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _b64(value: bytes | None) -> str | None:
    return base64.b64encode(value).decode() if value is not None else None
