"""The global condition keys of a request ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)),
lowercased as the evaluation looks them up."""

from __future__ import annotations

import time
from typing import Any


def request_keys(*, region: str, secure: bool, source_ip: str | None, now: float,
                 tags: dict[str, str] | None = None) -> dict[str, Any]:
    """aws:RequestedRegion, aws:SecureTransport, aws:CurrentTime, aws:EpochTime, aws:SourceIp, and
    aws:RequestTag/<key> with aws:TagKeys for a request that sets tags."""
    moment = now
    keys: dict[str, Any] = {
        "aws:requestedregion": region,
        "aws:securetransport": "true" if secure else "false",
        "aws:currenttime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment)),
        "aws:epochtime": str(int(moment)),
    }
    if source_ip:
        keys["aws:sourceip"] = source_ip
    if tags:
        keys["aws:tagkeys"] = list(tags)
        for key, value in tags.items():
            keys[f"aws:requesttag/{key.lower()}"] = value
    return keys


def delivery_keys(source_arn: str | None, source_account: str | None) -> dict[str, Any]:
    """aws:SourceArn and aws:SourceAccount of a service's request on a resource's behalf (an
    EventBridge rule sending to a queue), which resource policies test to avoid the confused deputy."""
    keys: dict[str, Any] = {}
    if source_arn:
        keys["aws:sourcearn"] = source_arn
    if source_account:
        keys["aws:sourceaccount"] = source_account
    return keys
