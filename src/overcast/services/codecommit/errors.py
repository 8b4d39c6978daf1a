"""CodeCommit's errors (all 400, sender fault), by AWS's codes."""

from __future__ import annotations

from overcast.errors import ClientError


def error(code: str, message: str) -> ClientError:
    """A CodeCommit error with AWS's exception name as its code."""
    return ClientError(message, code=code)


def repository_missing(name: str) -> ClientError:
    return error("RepositoryDoesNotExistException", f"{name} does not exist")


def branch_missing(name: str) -> ClientError:
    return error("BranchDoesNotExistException", f"Branch does not exist: {name}")


def commit_missing(spec: str) -> ClientError:
    return error("CommitDoesNotExistException", f"Could not find commit: {spec}")
