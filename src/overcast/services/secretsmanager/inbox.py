"""Secrets Manager for the rest of overcast (IAM's request check names the secret a call acts on)."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.secretsmanager.models import SecretStore


def secret_arn(platform: Platform, account: str, region: str, secret_id: str) -> str | None:
    """The full ARN (with AWS's six random characters) of the secret `secret_id` names: a name, a
    full ARN or a partial one; None when there is no such secret."""
    parts = secret_id.split(":")
    if secret_id.startswith("arn:") and len(parts) >= 7:  # another account's secret, by its ARN
        account, region = parts[4], parts[3]
    doc = platform.component(SecretStore).find(account, region, secret_id)
    return str(doc["ARN"]) if doc else None


def secret_policy(platform: Platform, arn: str) -> str | None:
    """The resource policy (PutResourcePolicy's JSON) of the secret with this ARN, if any."""
    parts = arn.split(":")
    if len(parts) < 7:
        return None
    doc = platform.component(SecretStore).find(parts[4], parts[3], arn)
    policy = doc.get("_policy") if doc else None
    return str(policy) if policy else None
