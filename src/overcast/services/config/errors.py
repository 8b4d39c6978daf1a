"""AWS Config's errors (codes from botocore's `config` model; all are 400 client errors)."""

from overcast.errors import ClientError


def error(code: str, message: str) -> ClientError:
    """One of Config's modeled exceptions, by its code (NoSuchConfigRuleException...)."""
    return ClientError(message, code=code)


def no_recorder(name: str) -> ClientError:
    return error("NoSuchConfigurationRecorderException",
                 f"Cannot find configuration recorder with the specified name '{name}'.")


def no_channel(name: str) -> ClientError:
    return error("NoSuchDeliveryChannelException", f"Cannot find delivery channel with specified name '{name}'.")


def no_rule(name: str) -> ClientError:
    return error("NoSuchConfigRuleException", f"The ConfigRule '{name}' provided in the request is invalid. "
                 "Please check the configRule name.")


def invalid(message: str) -> ClientError:
    return error("InvalidParameterValueException", message)


def validation(value: object, member: str, constraint: str) -> ClientError:
    return error("ValidationException", f"1 validation error detected: Value '{value}' at '{member}' failed to "
                 f"satisfy constraint: {constraint}")
