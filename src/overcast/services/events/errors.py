"""EventBridge's errors (all 400, sender fault, as AWS answers them)."""

from __future__ import annotations

from overcast.errors import ClientError
from overcast.patterns import InvalidEventPattern as PatternError
from overcast.patterns import Pattern, compile_pattern


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExists(ClientError):
    code = "ResourceAlreadyExistsException"


class InvalidEventPattern(ClientError):
    code = "InvalidEventPatternException"


class LimitExceeded(ClientError):
    code = "LimitExceededException"


class IllegalStatus(ClientError):
    code = "IllegalStatusException"


class Validation(ClientError):
    code = "ValidationException"


def bus_not_found(name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Event bus {name} does not exist.")


def rule_not_found(name: str, bus: str) -> ResourceNotFound:
    return ResourceNotFound(f"Rule {name} does not exist on EventBus {bus}.")


def compile_or_fail(text: str) -> Pattern:
    """An event pattern compiled, or EventBridge's InvalidEventPatternException."""
    try:
        return compile_pattern(text)
    except PatternError as error:
        raise InvalidEventPattern(error.message) from None
