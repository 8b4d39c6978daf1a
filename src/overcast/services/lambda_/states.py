"""A function's state lifecycle as AWS runs it (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).

CreateFunction leaves `$LATEST` `Pending` ("The function is being created.", `Creating`) for a short
while before it turns `Active`; an update leaves `LastUpdateStatus: InProgress` before `Successful`;
a published version starts `Pending` (no `LastUpdateStatus`) and turns `Active`. Each settling issues
a new RevisionId, as AWS's does. The moment a transition ends is stored in the configuration
(`_settles`, on the platform clock, so `OVERCAST_TIME_SCALE` shortens it) and applied by whoever reads
the configuration next, so the transition is real without a timer per function.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from overcast.services.lambda_.catalogue import error

LATEST = "$LATEST"

#: how long a creation, update or publication of a plain (non-VPC) function stays transitional, in AWS
#: seconds: long enough for a caller to see Pending/InProgress, short enough that a synchronous invoke
#: right after CreateFunction (which waits for Active) stays a cold start, not a one-second wait
SETTLE_SECONDS = 0.2

_REASON = "The function is being created."
_REASON_CODE = "Creating"

#: fields that change with every write or state change: not part of what a version freezes
_VOLATILE = frozenset({"RevisionId", "LastModified", "State", "StateReason", "StateReasonCode", "LastUpdateStatus",
                       "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "Version", "FunctionArn"})


def new_revision() -> str:
    return str(uuid.uuid4())


def start_creating(config: dict[str, Any], due: float) -> None:
    """A new function (or version): Pending until `due`, without LastUpdateStatus."""
    config.update({"State": "Pending", "StateReason": _REASON, "StateReasonCode": _REASON_CODE, "_settles": due})
    for key in ("LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"):
        config.pop(key, None)


def start_updating(config: dict[str, Any], due: float, previous: dict[str, Any]) -> None:
    """An update being applied: Active, LastUpdateStatus InProgress until `due`. Invocations meanwhile
    run `previous`, the configuration and code of the last successful update (AWS keeps serving it until
    the update completes: https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html)."""
    config["_previous"] = {k: v for k, v in previous.items() if k != "_previous"}
    config.update({"LastUpdateStatus": "InProgress", "LastUpdateStatusReason": _REASON,
                   "LastUpdateStatusReasonCode": _REASON_CODE, "_settles": due})


def busy(config: dict[str, Any], now: float) -> bool:
    """Whether a transition is still under way at `now`."""
    due = config.get("_settles")
    return due is not None and now < due


def serving(config: dict[str, Any], now: float) -> dict[str, Any]:
    """What an invocation of $LATEST runs at `now`: the previous configuration while an update is in
    progress, else `config` itself."""
    previous = config.get("_previous")
    return previous if previous is not None and busy(config, now) else config


def settle(config: dict[str, Any], now: float) -> bool:
    """End a transition whose time has come (True when `config` changed): Active and Successful,
    reasons cleared, a new RevisionId."""
    due = config.get("_settles")
    if due is None or now < due:
        return False
    del config["_settles"]
    config.pop("_previous", None)
    config["State"] = "Active"
    config["LastUpdateStatus"] = "Successful"
    for key in ("StateReason", "StateReasonCode", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"):
        config.pop(key, None)
    config["RevisionId"] = new_revision()
    return True


def content_hash(config: dict[str, Any]) -> str:
    """What PublishVersion compares to tell whether $LATEST changed since the last version."""
    kept = {k: v for k, v in config.items() if (k not in _VOLATILE and not k.startswith("_")) or k in ("_code", "_hot")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()


def lambda_timestamp(epoch: float) -> str:
    """FunctionConfiguration.LastModified: `2019-11-14T18:16:05.568+0000`."""
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def check_revision(config: dict[str, Any], revision_id: str | None) -> None:
    if revision_id is not None and revision_id != config.get("RevisionId"):
        raise error("revision_mismatch")
