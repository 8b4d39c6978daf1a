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

#: a model pattern anchored as a whole, `^(tag:.+|Name|...)$`, up to the end of its clause
_ANCHORED = re.compile(r"(regular expression pattern: )\^\((.*?)\)\$(?=; Value |$)")


def _reword(message: str) -> str:
    """SSM prints a pattern without the model's anchors (`tag:.+|Name|Type|...`) and ends its
    validation message with a period: "... Member must have length less than or equal to 10."."""
    return _ANCHORED.sub(r"\1\2", message) + "."


SPEC = ServiceSpec(name="ssm", api=_api, loops=_loops,
                   options=ProtocolOptions(validation="full", validation_enum_order=_ENUM_ORDER,
                                           validation_member_paths=True, validation_whole_list=True,
                                           raw_shapes=_RAW, reword=_reword))
