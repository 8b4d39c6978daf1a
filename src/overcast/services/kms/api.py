"""KMS's operations, one mixin per group of the API reference."""

from __future__ import annotations

from overcast.services.kms.api_aliases import AliasOperations
from overcast.services.kms.api_crypto import CryptoOperations
from overcast.services.kms.api_grants import GrantOperations
from overcast.services.kms.api_import import ImportOperations
from overcast.services.kms.api_keys import KeysOperations
from overcast.services.kms.api_policies import PolicyOperations
from overcast.services.kms.api_regions import RegionOperations
from overcast.services.kms.api_rotation import RotationOperations
from overcast.services.kms.api_signing import SigningOperations
from overcast.services.kms.api_tags import TagsOperations


class KmsApi(KeysOperations, AliasOperations, CryptoOperations, SigningOperations, TagsOperations,
             PolicyOperations, GrantOperations, RotationOperations, RegionOperations, ImportOperations):
    """AWS Key Management Service."""
