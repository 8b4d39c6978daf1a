"""KMS's operations, one mixin per group of the API reference."""

from __future__ import annotations

from overcast.services.kms.api_aliases import AliasOperations
from overcast.services.kms.api_crypto import CryptoOperations
from overcast.services.kms.api_keys import KeysOperations
from overcast.services.kms.api_tags import TagsOperations


class KmsApi(KeysOperations, AliasOperations, CryptoOperations, TagsOperations):
    """AWS Key Management Service."""
