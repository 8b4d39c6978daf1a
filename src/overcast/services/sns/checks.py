"""Checks SNS makes before it looks anything up: ARN shapes, the caller's region, batch entries."""

from __future__ import annotations

import base64
import re
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.errors import client_error
from overcast.services.sns.store import invalid

_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]*$")
MAX_BATCH_ID = 80
PAGE = 100


def check_arn(ctx: RequestContext, value: str | None, parameter: str = "TopicArn") -> str:
    """AWS's checks of an ARN parameter, before any lookup: at least 6 colon-separated elements
    ("Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"), and a topic of
    the caller's own region ("Invalid parameter: TopicArn")."""
    value = value or ""
    parts = value.split(":")
    if len(parts) < 6:
        raise invalid(f"{parameter} Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if parts[0] != "arn" or parts[2] != "sns" or parts[3] != ctx.region:
        raise invalid(parameter)
    return value


def check_batch_ids(entries: list[dict[str, Any]]) -> None:
    """PublishBatch: AWS's counts and id rules, in its words."""
    if not entries:
        raise client_error("EmptyBatchRequest", "The batch request doesn't contain any entries.")
    if len(entries) > 10:
        raise client_error("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
    ids = [e.get("Id") or "" for e in entries]
    for entry_id in ids:
        if not _BATCH_ID.match(entry_id) or not entry_id:
            raise client_error("InvalidBatchEntryId", "The Id of a batch entry in a batch request contains an "
                               f"impermissible character: {entry_id}")
        if len(entry_id) > MAX_BATCH_ID:
            raise client_error("InvalidBatchEntryId", f"The Id of a batch entry in a batch request is too long: {entry_id}")
    if len(set(ids)) != len(ids):
        raise client_error("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")


def check_tags(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """Tags as a map; a key given twice is refused ("Duplicated keys are not allowed.")."""
    out: dict[str, str] = {}
    for tag in tags or []:
        if tag["Key"] in out:
            raise invalid("Duplicated keys are not allowed.")
        out[tag["Key"]] = tag["Value"]
    return out


#: a topic policy's quotas (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html):
#: 30 KB and 100 statements
MAX_POLICY_BYTES = 30 * 1024
MAX_POLICY_STATEMENTS = 100


def check_topic_policy(text: str) -> None:
    """A topic policy (CreateTopic's and SetTopicAttributes' `Policy`, a policy AddPermission grows):
    JSON, read with the bounded reader (a 10,000-deep document is refused, not recursed into), an
    object, within SNS's 30 KB and 100 statements. SNS words a policy it cannot read
    "Invalid parameter: Policy Error: null"."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise invalid(f"Policy Error: Policy size exceeds the maximum of {MAX_POLICY_BYTES} bytes")
    try:
        parsed = documents.loads(text)
    except ValueError:
        raise invalid("Policy Error: null") from None
    if not isinstance(parsed, dict):
        raise invalid("Policy Error: null")
    statements = parsed.get("Statement")
    if isinstance(statements, list) and len(statements) > MAX_POLICY_STATEMENTS:
        raise invalid(f"Policy Error: Policy has more than {MAX_POLICY_STATEMENTS} statements")


def check_json(text: str, name: str) -> None:
    """A topic attribute that must be JSON (DeliveryPolicy), read within bounds."""
    try:
        documents.loads(text)
    except ValueError:
        raise invalid(f"{name}: failed to parse JSON.") from None


def page(items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
    """One page and the next page's token (opaque, as AWS's: the base64 of an offset)."""
    start = 0
    if token:
        try:
            start = int(base64.b64decode(token, validate=True).decode())
        except (ValueError, UnicodeDecodeError):
            raise invalid("NextToken") from None
    chunk = items[start : start + PAGE]
    nxt = base64.b64encode(str(start + PAGE).encode()).decode() if start + PAGE < len(items) else None
    return chunk, nxt


def json_structure(message: str) -> dict[str, Any]:
    """A `MessageStructure=json` message: a JSON object with a `default` entry, or AWS's errors."""
    try:
        parsed = documents.loads(message)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(parsed, dict) or "default" not in parsed:
        raise invalid("Message Structure - No default entry in JSON message body")
    return parsed
