"""Secrets Manager's API: one method per operation, grouped by what they work on."""

from __future__ import annotations

from overcast.services.secretsmanager.api_replication import ReplicationOperations
from overcast.services.secretsmanager.api_rotation import RotationOperations
from overcast.services.secretsmanager.api_secrets import SecretOperations
from overcast.services.secretsmanager.api_values import ValueOperations


class SecretsManagerApi(SecretOperations, ValueOperations, RotationOperations, ReplicationOperations):
    """AWS Secrets Manager (https://docs.aws.amazon.com/secretsmanager/latest/apireference/)."""
