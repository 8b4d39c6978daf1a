"""AWS Systems Manager Parameter Store, the part tools lean on: parameters put, read, listed and
deleted (String, StringList and SecureString — kept as given, never encrypted). CDK reads its
bootstrap version here, and templates resolve `AWS::SSM::Parameter::Value<...>` parameters."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.ssm.api import SsmApi

    return SsmApi(platform)


SPEC = ServiceSpec(name="ssm", api=_api, options=ProtocolOptions(validation="full"))
