"""Rotation with a Lambda function, and the platform-clock timers of Secrets Manager.

How AWS rotates (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html):
RotateSecret creates the new version's id (the ClientRequestToken) and puts AWSPENDING on it, with
no value yet; then Secrets Manager invokes the rotation function once per step, synchronously, in
order: `createSecret`, `setSecret`, `testSecret`, `finishSecret`, each with the event
`{"Step", "SecretId" (the ARN), "ClientRequestToken", "RotationToken"}`. The function puts the
value (PutSecretValue with VersionStages AWSPENDING) and finally moves AWSCURRENT to the new
version. A step that fails ends the rotation there: AWSPENDING stays on the new version, so a later
RotateSecret answers that a previous rotation isn't complete. After `finishSecret` AWSPENDING is
taken off the version (it is now AWSCURRENT), LastRotatedDate is set and NextRotationDate follows
the rotation rules.

The steps run in one background loop, not inside RotateSecret (AWS answers RotateSecret before the
function has run). A secret's next rotation (`rotate_at`) and its purge after a scheduled deletion
(`purge_at`) are platform times in SQLite, so both survive a restart; a rotation interrupted by a
restart runs again from the step it was at (AWS's rotation functions are written to be re-run).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.platform import Platform
from overcast.services.events.inbox import Cron, InvalidSchedule, parse_schedule
from overcast.services.secretsmanager import vault
from overcast.services.secretsmanager.errors import InvalidParameterException
from overcast.services.secretsmanager.models import CURRENT, PENDING, SecretStore

log = logging.getLogger("overcast.secretsmanager")

SIGNAL = "secretsmanager-due"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
IDLE_WAIT = 5.0
DAY = 86400


def check_rules(rules: dict[str, Any]) -> None:
    """Refuse rotation rules AWS refuses
    (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html)."""
    days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    if days is not None and expression is not None:
        raise InvalidParameterException("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
    if days is not None and not 1 <= int(days) <= 1000:
        raise InvalidParameterException("RotationRules.AutomaticallyAfterDays must be within 1-1000.")
    if expression is not None:
        _period(expression)
    duration = rules.get("Duration")
    if duration is not None and not (duration.endswith("h") and duration[:-1].isdigit()
                                     and 1 <= int(duration[:-1]) <= 24):
        raise InvalidParameterException("The Duration parameter must be between 1h and 24h.")


def _period(expression: str) -> Any:
    try:
        schedule = parse_schedule(expression)
    except InvalidSchedule:
        raise InvalidParameterException(f"Invalid ScheduleExpression: {expression}") from None
    if not isinstance(schedule, Cron) and schedule.seconds < 4 * 3600:
        raise InvalidParameterException("The rotation schedule must be at least every four hours.")
    return schedule


def next_rotation(rules: dict[str, Any] | None, after: float) -> float | None:
    """When a secret rotated at `after` (AWS time) rotates next, by its rules; None: never."""
    if not rules:
        return None
    if rules.get("AutomaticallyAfterDays"):
        return after + int(rules["AutomaticallyAfterDays"]) * DAY
    if rules.get("ScheduleExpression"):
        schedule = _period(rules["ScheduleExpression"])
        if isinstance(schedule, Cron):
            return schedule.next_after(after)
        return after + float(schedule.seconds)
    return None


def start(platform: Platform, doc: dict[str, Any], token: str) -> None:
    """Begin a rotation to version `token`: the version with AWSPENDING, the steps due now."""
    store = platform.component(SecretStore)
    if store.version(doc, token) is None:
        store.add_version(doc, token, platform.clock.now(), None, None)
    store.attach(doc, PENDING, token)
    doc["_rotation"] = {"token": token, "step": 0}
    doc["_rotate_at"] = platform.clock.now()


def incomplete(platform: Platform, doc: dict[str, Any]) -> str | None:
    """The version of a rotation that did not finish: AWSPENDING on a version that is not AWSCURRENT."""
    versions = platform.component(SecretStore).versions(doc)
    return next((v["VersionId"] for v in versions
                 if PENDING in v["VersionStages"] and CURRENT not in v["VersionStages"]), None)


def schedule_next(platform: Platform, doc: dict[str, Any], after: float) -> None:
    """Set NextRotationDate (AWS time) and when the platform runs it."""
    when = next_rotation(doc.get("RotationRules"), after) if doc.get("RotationEnabled") else None
    doc["NextRotationDate"] = when
    now = platform.clock.now()
    doc["_rotate_at"] = None if when is None else platform.clock.later(max(0.0, when - now))


async def due_loop(platform: Platform) -> None:
    """One round: purge the secrets whose recovery window ended, run the rotations that are due,
    then wait until the next is due or something changes."""
    store = platform.component(SecretStore)
    now = platform.clock.now()
    for doc in store.due("purge_at", now):
        store.remove(doc)
    for doc in store.due("rotate_at", now):
        try:
            await rotate(platform, doc)
        except Exception:  # a bug must not stop every other rotation
            log.exception("rotation of %s failed", doc["ARN"])
            doc["_rotate_at"], doc["_rotation"] = None, None
            store.put(doc)
    due = store.next_due()
    timeout = IDLE_WAIT if due is None else min(IDLE_WAIT, due - platform.clock.now())
    if timeout > 0:
        await platform.signals.wait(SIGNAL, timeout)


async def rotate(platform: Platform, doc: dict[str, Any]) -> None:
    """Run a due rotation: the one RotateSecret started, or a scheduled one."""
    store = platform.component(SecretStore)
    if doc.get("DeletedDate") is not None or not doc.get("RotationLambdaARN"):
        doc["_rotate_at"] = None
        store.put(doc)
        return
    if not doc.get("_rotation"):  # a scheduled rotation (one left incomplete is attempted again)
        pending = incomplete(platform, doc)
        with platform.db.tx():
            start(platform, doc, pending or str(uuid.uuid4()))
            store.put(doc)
    state = doc["_rotation"]
    for index in range(int(state["step"]), len(STEPS)):
        ok = await _invoke(platform, doc, STEPS[index], state["token"])
        fresh = store.find(doc["_account"], doc["_region"], doc["ARN"])
        if fresh is None:
            return
        doc = fresh
        if not ok:  # AWS stops at the failing step; AWSPENDING stays on the new version
            doc["_rotation"] = None
            schedule_next(platform, doc, platform.clock.now())
            if doc.pop("_reattempt", None):  # RotateSecret asked for it meanwhile
                start(platform, doc, state["token"])
            store.put(doc)
            return
        doc["_rotation"] = {"token": state["token"], "step": index + 1}
        store.put(doc)
    finish(platform, doc, state["token"])


async def test_configuration(platform: Platform, doc: dict[str, Any], token: str) -> None:
    """RotateImmediately=false: AWS tests the configuration by running the `testSecret` step on an
    AWSPENDING version holding the current value, then removes that version. A failing test is
    logged; the rotation stays configured."""
    store = platform.component(SecretStore)
    current = store.staged(doc, CURRENT)
    if current is None or current.get("_value") is None:
        return
    arn = store.versions_arn(doc)
    data = vault.unseal(platform, doc["_account"], arn.split(":")[3], current.get("_sealed_with"), current["_value"],
                        arn, current["VersionId"])
    sealed, key = vault.seal(platform, doc["_account"], doc["_region"], doc.get("KmsKeyId"), data, doc["ARN"], token)
    with platform.db.tx():
        store.add_version(doc, token, platform.clock.now(), sealed, key)
        store.attach(doc, PENDING, token)
    try:
        await _invoke(platform, doc, "testSecret", token)
    finally:
        store.remove_version(doc, token)


def finish(platform: Platform, doc: dict[str, Any], token: str) -> None:
    store = platform.component(SecretStore)
    with platform.db.tx():
        version = store.version(doc, token)
        if version is not None and CURRENT in version["VersionStages"]:
            store.detach(doc, PENDING, token)
        now = platform.clock.now()
        doc["LastRotatedDate"] = now
        doc["_rotation"] = None
        doc.pop("_reattempt", None)
        schedule_next(platform, doc, now)
        store.put(doc)


async def _invoke(platform: Platform, doc: dict[str, Any], step: str, token: str) -> bool:
    """Invoke the rotation function for one step; whether it succeeded."""
    event = {"Step": step, "SecretId": doc["ARN"], "ClientRequestToken": token,
             "RotationToken": str(uuid.uuid4())}
    try:
        await platform.component(FrontDoorCalls).invoke(doc["RotationLambdaARN"], event, account=doc["_account"],
                                                        region=doc["_region"], timeout=None)
    except IntegrationFailure as failure:
        log.info("rotation of %s: %s failed: %s %s", doc["ARN"], step, failure.kind,
                 _error_message(failure.payload) or failure.detail)
        return False
    return True


def _error_message(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("errorMessage") or "")
    except (ValueError, AttributeError):
        return ""
