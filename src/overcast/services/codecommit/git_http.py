"""git's smart HTTP protocol on a repository's clone URL
(`/_aws/codecommit/<region>/v1/repos/<name>`): `info/refs?service=git-upload-pack|git-receive-pack`,
`git-upload-pack` (clone, fetch) and `git-receive-pack` (push), served by dulwich's WSGI application
over the repository's bare git directory. Any credentials are accepted. After a push, the branches
that moved run the repository's triggers and EventBridge events, as an API commit does."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

from dulwich.server import DictBackend
from dulwich.web import make_wsgi_chain

from overcast import arns
from overcast.edge.messages import Request, Response
from overcast.services.codecommit.api_base import settle
from overcast.services.codecommit.models import GIT_PREFIX, Repositories
from overcast.services.codecommit.triggers import RefChange

#: `<region>/v1/repos/<name>/...`, or `v1/repos/<name>/...` (the repository of that name in any region)
PATH = re.compile(r"^(?:([a-z]{2}(?:-[a-z]+)+-\d+)/)?v1/repos/([\w.-]+?)(?:\.git)?(/.*)$")


def _refs(repo: Any) -> dict[str, str]:
    return {ref.decode(): sha.decode() for ref, sha in repo.get_refs().items() if ref.startswith(b"refs/")}


def _run(app: Any, req: Request, rest: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Call the WSGI application with one buffered request; (status, headers, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": req.method, "PATH_INFO": rest, "QUERY_STRING": req.query_string,
        "CONTENT_TYPE": req.headers.get("content-type") or "", "CONTENT_LENGTH": str(len(req.body)),
        "SERVER_NAME": "overcast", "SERVER_PORT": "4566", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(req.body), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": req.scheme,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    for name, value in req.headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: dict[str, Any] = {}
    written: list[bytes] = []  # dulwich writes through start_response's `write` as well as returning

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started["status"], started["headers"] = int(status.split()[0]), headers
        return written.append

    returned = list(app(environ, start_response))
    return started["status"], started["headers"], b"".join(written) + b"".join(returned)


def _not_found(message: str) -> Response:
    return Response(404, [("Content-Type", "text/plain")], message.encode())


async def serve(platform: Any, req: Request) -> Response:
    match = PATH.match(req.path[len(GIT_PREFIX):])
    if match is None:
        return _not_found("Not a CodeCommit repository URL: /_aws/codecommit/<region>/v1/repos/<name>")
    region, name, rest = match.groups()
    store = platform.component(Repositories)
    doc = store.find(region, name)
    if doc is None:
        return _not_found(f"repository '{name}' not found")

    def work() -> tuple[int, list[tuple[str, str]], bytes]:
        with store.lock(doc["repositoryId"]):
            repo = store.repo(doc)
            before = _refs(repo)
            result = _run(make_wsgi_chain(DictBackend({"/": repo})), req, rest)
            after = _refs(repo)
            changes = [RefChange(ref, before.get(ref), after.get(ref)) for ref in sorted(set(before) | set(after))
                       if before.get(ref) != after.get(ref) and ref.startswith(("refs/heads/", "refs/tags/"))]
            if changes:
                user = arns.build("iam", "", doc["accountId"], "root")
                settle(platform, doc, changes, user)
            return result

    status, headers, body = await asyncio.to_thread(work)
    return Response(status, list(headers), body)
