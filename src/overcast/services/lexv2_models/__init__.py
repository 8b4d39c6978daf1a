"""Amazon Lex V2 model building (`lexv2-models`): bots with their locales, intents, slots and slot
types, builds, versions and aliases. The runtime (`lexv2-runtime`) shares the signing name `lex`;
the gateway tells them apart by their REST paths. See docs/lex.md."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.lexv2_models.api import LexModelsApi

    return LexModelsApi(platform)


SPEC = ServiceSpec(name="lexv2-models", api=_api, options=ProtocolOptions(validation="full"))
