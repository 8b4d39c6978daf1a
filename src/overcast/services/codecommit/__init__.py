"""AWS CodeCommit: repositories kept as bare git repositories (dulwich), files and commits through
the API, git's smart HTTP protocol on each repository's clone URL, and repository triggers (Lambda,
SNS) and EventBridge events on every change of a branch. See docs/codecommit.md."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

GIT_PREFIX = "/_aws/codecommit/"


def _api(platform: Any) -> Any:
    from overcast.services.codecommit.api import CodeCommitApi

    return CodeCommitApi(platform)


async def _serve_git(platform: Any, req: Any) -> Any:
    from overcast.services.codecommit.git_http import serve

    return await serve(platform, req)


SPEC = ServiceSpec(
    name="codecommit",
    api=_api,
    # CodeCommit checks names, paths and modes itself, with its own exceptions (InvalidRepositoryNameException...)
    options=ProtocolOptions(validation="required"),
    routes=(HttpRoute("codecommit-git", lambda req: req.raw_path.startswith(GIT_PREFIX), _serve_git),),
)
