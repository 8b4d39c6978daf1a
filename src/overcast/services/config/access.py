"""Who AWS Config writes to the delivery channel's bucket and invokes custom rules' functions as,
for IAM (`--iam report|enforce`, docs/iam.md;
[AWS](https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html)):

- with the recorder's IAM role (`roleARN`), the role's policies must allow `s3:PutObject`;
- with the service-linked role (`aws-service-role/config.amazonaws.com/...`), the bucket's policy
  must allow `config.amazonaws.com` (with `aws:SourceAccount` the recorder's account);
- a custom rule's function is invoked as `config.amazonaws.com` for the rule.
"""

from __future__ import annotations

from typing import Any

from overcast.delivery import as_role, as_service
from overcast.platform import Platform
from overcast.services.config.models import RECORDER, ConfigStore

#: the session a recorder's role writes with
SESSION = "AWSConfig-BucketConfigCheck"


def writer(platform: Platform, account: str, region: str) -> dict[str, str] | None:
    """How Config writes to the delivery channel's bucket (None when IAM is off or there is no recorder)."""
    if platform.config.iam == "off":
        return None
    recorders = platform.component(ConfigStore).docs(account, region, RECORDER)
    role = str((recorders[0].get("roleARN") if recorders else "") or "")
    if not role:
        return None
    if ":role/aws-service-role/" in role:
        return as_service("config.amazonaws.com", "", account)  # the bucket policy tests aws:SourceAccount
    return as_role(role, SESSION)


def bucket_refusal(platform: Platform, account: str, region: str, bucket: str, prefix: str | None) -> str | None:
    """Why Config may not write under `prefix` of `bucket` (`--iam enforce`), or None."""
    auth = writer(platform, account, region)
    if auth is None or platform.iam is None:
        return None
    target = f"arn:aws:s3:::{bucket}/{prefix + '/' if prefix else ''}AWSLogs/{account}/*"
    refused: str | None = platform.iam.delivery_refusal(target, auth)
    return refused


def rule_invoker(platform: Platform, account: str, rule: dict[str, Any]) -> dict[str, str] | None:
    """How Config invokes a custom rule's function (None when IAM is off)."""
    if platform.config.iam == "off":
        return None
    return as_service("config.amazonaws.com", str(rule.get("ConfigRuleArn") or ""), account)
