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


def page(items: list, token: str | None, size: int) -> tuple[list, str | None]:  # type: ignore[type-arg]
    """One page of `items` from a continuation token (an offset), and the next token or None."""
    start = 0
    if token:
        try:
            start = int(token.removeprefix("cc-"))
        except ValueError:
            raise error("InvalidContinuationTokenException", "The specified continuation token is not valid.") from None
        if not 0 <= start <= len(items):
            raise error("InvalidContinuationTokenException", "The specified continuation token is not valid.")
    end = start + size
    return items[start:end], (f"cc-{end}" if end < len(items) else None)
