"""CreateActivity, DescribeActivity, DeleteActivity, ListActivities, GetActivityTask."""

from __future__ import annotations

import json
import time
from typing import Any

from overcast.context import RequestContext
from overcast.services.stepfunctions.activities import Activities, activity_arn
from overcast.services.stepfunctions.api_tasks import tag_map
from overcast.services.stepfunctions.errors import (
    ActivityAlreadyExists,
    ActivityDoesNotExist,
    InvalidArn,
    InvalidEncryptionConfiguration,
)
from overcast.services.stepfunctions.models import WAKE_SIGNAL
from overcast.services.stepfunctions.paging import page
from overcast.services.stepfunctions.validate import check_name

#: real seconds GetActivityTask waits for a task before answering with none (AWS: 60)
POLL_SECONDS = 60.0


class ActivityOperations:
    """Mixed into `StepFunctionsApi`."""

    platform: Any
    db: Any
    clock: Any

    def _activity(self, arn: str) -> Any:
        if ":activity:" not in arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        row = self.platform.component(Activities).find(arn)
        if row is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return row

    def create_activity(self, ctx: RequestContext, name: str, tags: list[dict[str, str]] | None = None,
                        **extra: Any) -> dict[str, Any]:
        check_name(name)
        arn = activity_arn(ctx.account, ctx.region, name)
        activities = self.platform.component(Activities)
        with self.db.tx():
            found = activities.find(arn)
            if found is not None:  # AWS: CreateActivity is idempotent, but its encryption cannot change
                if extra.get("encryption_configuration"):
                    raise ActivityAlreadyExists("Activity already exists. EncryptionConfiguration may not be updated.")
                return {"activityArn": arn, "creationDate": found["created"]}
            now = self.clock.now()
            encryption = extra.get("encryption_configuration")
            check_encryption(encryption)
            activities.create(arn, ctx.account, ctx.region, name, now,
                              tag_map(tags), encryption)
        return {"activityArn": arn, "creationDate": now}

    def describe_activity(self, ctx: RequestContext, activity_arn: str) -> dict[str, Any]:
        row = self._activity(activity_arn)
        return {"activityArn": row["arn"], "name": row["name"], "creationDate": row["created"],
                "encryptionConfiguration": json.loads(row["encryption"])}

    def delete_activity(self, ctx: RequestContext, activity_arn: str) -> dict[str, Any]:
        if ":activity:" not in activity_arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {activity_arn}'")
        with self.db.tx():
            self.platform.component(Activities).delete(activity_arn)
        return {}

    def list_activities(self, ctx: RequestContext, max_results: int | None = None,
                        next_token: str | None = None) -> dict[str, Any]:
        items = [{"activityArn": r["arn"], "name": r["name"], "creationDate": r["created"]}
                 for r in self.platform.component(Activities).all(ctx.account, ctx.region)]
        return page(items, "activities", max_results, next_token)

    async def get_activity_task(self, ctx: RequestContext, activity_arn: str,
                                worker_name: str | None = None) -> dict[str, Any]:
        """Long-polls up to 60 s for a scheduled task; no task: an empty answer, as on AWS."""
        self._activity(activity_arn)
        activities = self.platform.component(Activities)
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            with self.db.tx():
                row = activities.take(activity_arn, worker_name or "")
            if row is not None:
                self.platform.signals.notify(WAKE_SIGNAL)
                return {"taskToken": row["token"], "input": row["input"]}
            left = deadline - time.monotonic()
            if left <= 0:
                return {}
            await self.platform.signals.wait(WAKE_SIGNAL, min(left, 1.0))


def check_encryption(config: dict[str, Any] | None) -> None:
    """AWS: a customer managed key must be named."""
    if config and config.get("type") == "CUSTOMER_MANAGED_KMS_KEY" and not config.get("kmsKeyId"):
        raise InvalidEncryptionConfiguration("kmsKeyId must be specified when type is CUSTOMER_MANAGED_KMS_KEY")
