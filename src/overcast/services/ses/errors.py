"""SES's errors. The v1 (query) API names each condition (`TemplateDoesNotExist`, `RuleSetDoesNotExist`...,
https://docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html and each operation's Errors);
v2 (rest-json) answers the same conditions with a few generic ones (`NotFoundException` 404,
`AlreadyExistsException`, `BadRequestException`), which `v2_code` gives."""

from __future__ import annotations

from typing import ClassVar

from overcast.errors import ClientError


class SesError(ClientError):
    """A v1 error; `v2_code`/`v2_status` are how SES v2 words the same condition."""

    v2_code: ClassVar[str] = "BadRequestException"
    v2_status: ClassVar[int] = 400


class NotFound(SesError):
    v2_code = "NotFoundException"
    v2_status = 404


class Exists(SesError):
    v2_code = "AlreadyExistsException"


def not_found(code: str, message: str) -> NotFound:
    return NotFound(message, code=code)


def exists(code: str, message: str) -> Exists:
    return Exists(message, code=code)


def invalid(message: str, code: str = "InvalidParameterValue") -> SesError:
    return SesError(message, code=code)


class MessageRejected(SesError):
    code = "MessageRejected"
    v2_code = "MessageRejected"


class MissingRenderingAttribute(SesError):
    code = "MissingRenderingAttribute"


def template_missing(name: str) -> NotFound:
    return not_found("TemplateDoesNotExist", f"Template {name} does not exist.")


def config_set_missing(name: str) -> NotFound:
    return not_found("ConfigurationSetDoesNotExist", f"Configuration set <{name}> does not exist.")


def rule_set_missing(name: str) -> NotFound:
    return not_found("RuleSetDoesNotExist", f"Rule set does not exist: {name}")


def rule_missing(name: str) -> NotFound:
    return not_found("RuleDoesNotExist", f"Rule does not exist: {name}")
