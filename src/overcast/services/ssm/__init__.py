"""AWS Systems Manager Parameter Store: String, StringList and SecureString parameters in
hierarchies, with versions, labels, history, tags, tiers and policies (expiration on the platform
clock, notifications on EventBridge), and the public `/aws/service/...` parameters SDKs and CDK
read. CloudFormation reads it for `AWS::SSM::Parameter::Value<...>` parameters and `{{resolve:ssm:...}}`
references. See docs/ssm.md."""

import re

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.ssm.api import SsmApi

    return SsmApi(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.ssm.events import policy_loop

    return [lambda: policy_loop(platform)]


#: SSM lists parameter types in this order in its validation messages
_ENUM_ORDER = {"ParameterType": ("SecureString", "StringList", "String")}

#: SSM answers a tagging ResourceType outside its list with InvalidResourceType, not the model's
#: enum ValidationException: the value reaches the tagging operations unchecked (`api_tags.py`)
_RAW = frozenset({"ResourceTypeForTagging"})

#: SSM prints its parameter-filter key pattern as it was before `DataType` joined the model's,
#: unanchored (the key check still accepts `DataType`)
_FILTER_KEY = ("^(tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType)$", "tag:.+|Name|Type|KeyId|Path|Label|Tier")
#: clauses SSM ends with a period: length, value and pattern limits (not enum sets, nor the
#: bracketed list of a list item's constraints)
_PERIOD = re.compile(r"Member must (have (length|value) |satisfy regular expression pattern: )")


def _reword(message: str) -> str:
    """SSM's wording of a constraint-violation message: "... at 'names' failed to satisfy
    constraint: Member must have length less than or equal to 10." (a period after length, value
    and pattern clauses) and the filter-key pattern as SSM prints it."""
    head, sep, body = message.replace(*_FILTER_KEY).partition(" detected: ")
    if not sep:
        return message
    clauses = [clause + "." if _PERIOD.search(clause) and "satisfy constraint: [" not in clause else clause
               for clause in body.split("; Value ")]
    return head + sep + "; Value ".join(clauses)


SPEC = ServiceSpec(name="ssm", api=_api, loops=_loops,
                   options=ProtocolOptions(validation="full", validation_enum_order=_ENUM_ORDER,
                                           validation_member_paths=True, validation_whole_list=True,
                                           raw_shapes=_RAW, reword=_reword))
