"""Amazon Lex V2 model building: bots, locales, intents, slots, slot types, versions, aliases."""

from __future__ import annotations

from overcast.services.lexv2_models.api_bots import BotOperations
from overcast.services.lexv2_models.api_locales import LocaleOperations
from overcast.services.lexv2_models.api_policies import PolicyOperations


class LexModelsApi(BotOperations, LocaleOperations, PolicyOperations):
    """One method per Lex V2 model-building operation overcast hosts."""
