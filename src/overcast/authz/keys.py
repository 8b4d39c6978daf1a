"""The global condition keys of a request ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)),
lowercased as the evaluation looks them up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
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


TagSource = Callable[[], Mapping[str, str]]


class LazyKeys(Mapping[str, Any]):
    """A request context whose tag keys (`aws:ResourceTag/<key>`, `s3:ExistingObjectTag/<key>`...)
    are read only when a policy asks for one: `sources` maps a lowercased key prefix to what reads
    the tags once. Other keys come from `keys`, then from `defaults` (the principal's keys)."""

    def __init__(self, keys: Mapping[str, Any], sources: Mapping[str, TagSource],
                 defaults: Mapping[str, Any] | None = None) -> None:
        self._keys = keys
        self._sources = sources
        self._defaults = defaults or {}
        self._read: dict[str, dict[str, str]] = {}

    def under(self, defaults: Mapping[str, Any]) -> LazyKeys:
        """The same keys over `defaults` (sharing the tags already read)."""
        layered = LazyKeys(self._keys, self._sources, {**defaults, **self._defaults})
        layered._read = self._read
        return layered

    def _tags(self, prefix: str) -> dict[str, str]:
        if prefix not in self._read:
            self._read[prefix] = {f"{prefix}{k.lower()}": v for k, v in self._sources[prefix]().items()}
        return self._read[prefix]

    def __getitem__(self, key: str) -> Any:
        if key in self._keys:
            return self._keys[key]
        for prefix in self._sources:
            if key.startswith(prefix):
                return self._tags(prefix)[key]
        return self._defaults[key]

    def _all(self) -> dict[str, Any]:
        merged = {**self._defaults}
        for prefix in self._sources:
            merged.update(self._tags(prefix))
        merged.update(self._keys)
        return merged

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def layered(context: Mapping[str, Any], defaults: Mapping[str, Any]) -> Mapping[str, Any]:
    """`context` over `defaults`, tags still read only when asked for."""
    if isinstance(context, LazyKeys):
        return context.under(defaults)
    return {**defaults, **context}
