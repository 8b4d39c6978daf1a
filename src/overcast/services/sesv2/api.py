"""The SES v2 API (rest-json): one mixin per group of operations, over SES's shared state."""

from __future__ import annotations

from overcast.services.sesv2.api_config_sets import ConfigSetOperations
from overcast.services.sesv2.api_contacts import ContactOperations
from overcast.services.sesv2.api_identities import IdentityOperations
from overcast.services.sesv2.api_send import SendOperations
from overcast.services.sesv2.api_tags import TagOperations


class SesV2Api(IdentityOperations, SendOperations, ConfigSetOperations, ContactOperations,
                TagOperations):
    """Every SES v2 operation overcast serves."""
