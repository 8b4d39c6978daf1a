"""The SES v1 API (`email`, query protocol): one mixin per group of operations."""

from __future__ import annotations

from overcast.services.ses.api_config_sets import ConfigSetOperations
from overcast.services.ses.api_identities import IdentityOperations
from overcast.services.ses.api_receipt import ReceiptOperations
from overcast.services.ses.api_send import SendOperations


class SesApi(IdentityOperations, SendOperations, ConfigSetOperations, ReceiptOperations):
    """Every SES v1 operation overcast serves."""
