"""AWS Config's checks on the `Tags` of a create (PutConfigurationAggregator,
PutAggregationAuthorization, PutConfigRule...): at most 50, keys of 1 to 128 characters from
AWS's tag alphabet, values up to 256, no key twice."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.config import errors as e

MAX_TAGS = 50
#: AWS's tag key alphabet: letters, spaces, digits and `_ . : / = + - @`.
KEY_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"
_KEY = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)


def check_tags(tags: list[dict[str, Any]] | None, member: str = "tags") -> dict[str, str]:
    """The tags as a dict, or the ValidationException / InvalidInput AWS answers."""
    tags = tags or []
    if len(tags) > MAX_TAGS:
        raise e.validation(tags, member, f"Member must have length less than or equal to {MAX_TAGS}")
    seen: dict[str, str] = {}
    for index, tag in enumerate(tags, 1):
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if len(key) > 128:
            raise e.validation(key, f"{member}.{index}.member.key", "Member must have length less than or equal to 128")
        if len(value) > 256:
            raise e.validation(value, f"{member}.{index}.member.value",
                               "Member must have length less than or equal to 256")
        if not _KEY.match(key):
            raise e.validation(key, f"{member}.{index}.member.key",
                               f"Member must satisfy regular expression pattern: {KEY_PATTERN}")
        if key in seen:
            raise e.error("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
        seen[key] = value
    return seen
