"""Secrets Manager for the rest of overcast (IAM's request check names the secret a call acts on)."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.secretsmanager.models import SecretStore


def secret_arn(platform: Platform, account: str, region: str, secret_id: str) -> str | None:
    """The full ARN (with AWS's six random characters) of the secret `secret_id` names: a name, a
    full ARN or a partial one; None when there is no such secret."""
    doc = platform.component(SecretStore).find(account, region, secret_id)
    return str(doc["ARN"]) if doc else None
