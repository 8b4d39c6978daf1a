"""The rules PutParameter checks before it writes
([AWS](https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html)):
tiers and their value sizes (Standard 4 KB, Advanced 8 KB; Intelligent-Tiering picks Advanced only
when the value or policies need it; an Advanced parameter never goes back to Standard), policies
only on Advanced, AllowedPattern, and the data types (`text`, `aws:ec2:image`, `aws:ssm:integration`)."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.ssm.errors import (
    InvalidAllowedPatternException,
    ParameterLimitExceeded,
    ParameterPatternMismatchException,
    ValidationException,
)

STANDARD_MAX = 4096
ADVANCED_MAX = 8192
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
#: an AMI id as AWS formats them (the AMI's existence is not checked: overcast hosts no EC2)
_AMI = re.compile(r"^ami-([0-9a-f]{8}|[0-9a-f]{17})$")


def check_value(value: str | None) -> str:
    if not value:
        raise ValidationException("1 validation error detected: Value '' at 'value' failed to satisfy constraint: "
                                  "Member must have length greater than or equal to 1.")
    return value


def tier(requested: str | None, previous: dict[str, Any] | None, value: str, has_policies: bool) -> str:
    """The tier a version is stored in."""
    before = (previous or {}).get("Tier")
    wanted = requested or before or "Standard"
    if wanted == "Intelligent-Tiering":
        wanted = "Advanced" if len(value) > STANDARD_MAX or has_policies or before == "Advanced" else "Standard"
    if wanted == "Standard" and before == "Advanced":
        raise ValidationException("This parameter uses the advanced-parameter tier. You can't downgrade a parameter "
                                  "from the advanced-parameter tier to the standard-parameter tier. If necessary, you "
                                  "can delete the advanced parameter and recreate it as a standard parameter.")
    if wanted == "Standard" and len(value) > STANDARD_MAX:
        raise ValidationException(f"Standard tier parameters support a maximum parameter value of {STANDARD_MAX} "
                                  "characters. To create a larger parameter value, upgrade the parameter to use the "
                                  "advanced-parameter tier. For more information, see https://docs.aws.amazon.com/"
                                  "systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
    if len(value) > ADVANCED_MAX:
        raise ValidationException(f"Advanced tier parameters support a maximum parameter value of {ADVANCED_MAX} "
                                  "characters.")
    if wanted == "Standard" and has_policies:
        raise ValidationException("Parameter policies are supported only for the advanced-parameter tier. To use "
                                  "parameter policies, upgrade the parameter to use the advanced-parameter tier.")
    return wanted


#: parameters an account may hold per region, by tier
#: (https://docs.aws.amazon.com/general/latest/gr/ssm.html#limits_ssm)
TIER_LIMITS = {"Standard": 10000, "Advanced": 100000}


def check_count(tier: str, held: int) -> None:
    """A new parameter must fit within its tier's limit."""
    limit = TIER_LIMITS[tier]
    if held < limit:
        return
    if tier == "Standard":
        raise ParameterLimitExceeded(
            f"You have reached the maximum number of standard parameters for this AWS account and Region ({limit}). "
            "To add more parameters, either delete existing parameters or upgrade to the advanced-parameter tier "
            "(charges apply).")
    raise ParameterLimitExceeded(f"You have reached the maximum number of advanced parameters for this AWS account "
                                 f"and Region ({limit}). To add more parameters, delete existing parameters.")


def check_pattern(pattern: str | None, value: str) -> None:
    if not pattern:
        return
    try:
        compiled = re.compile(pattern)
    except re.error:
        raise InvalidAllowedPatternException("The allowed pattern is not a valid regular expression.") from None
    if not compiled.fullmatch(value):  # the whole value must match
        raise ParameterPatternMismatchException(f"Parameter value, cannot be validated against allowedPattern: "
                                                f"{pattern}")


def check_data_type(data_type: str, kind: str, value: str) -> bool:
    """Whether the value passes its data type's check. A bad `aws:ec2:image` value is not an error
    of the call: AWS validates it after answering, and then drops the write (see PutParameter)."""
    if data_type not in DATA_TYPES:
        raise ValidationException(f"The following data type is not supported: {data_type} (Data type names are all "
                                  "lowercase.)")
    if data_type == "aws:ec2:image":
        if kind != "String":
            raise ValidationException("The data type aws:ec2:image is supported only for String parameters.")
        return bool(_AMI.match(value))
    return True
