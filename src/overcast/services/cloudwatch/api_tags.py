"""TagResource, UntagResource, ListTagsForResource on CloudWatch's resources.

Dashboards and insight rules are tagged here; alarms (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`)
once their mixin says they exist through `_alarm_exists`. AWS allows 50 tags per resource.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.errors import (
    InvalidParameterValue,
    LimitExceeded,
    ResourceNotFoundException,
)

MAX_TAGS = 50


class TagOperations(ApiBase):
    """Tags on dashboards, insight rules and alarms."""

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]],
                     **_: Any) -> dict[str, Any]:
        self._check_resource(ctx, resource_arn)
        with self.db.tx():
            self.tag_arn(resource_arn, tags)
            count = self.db.scalar("SELECT COUNT(*) FROM cw_tags WHERE arn = ?", (resource_arn,))
            if count > MAX_TAGS:
                raise LimitExceeded(f"The maximum number of tags per resource ({MAX_TAGS}) was exceeded.")
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str], **_: Any) -> dict[str, Any]:
        self._check_resource(ctx, resource_arn)
        self.db.executemany("DELETE FROM cw_tags WHERE arn = ? AND tag_key = ?", [(resource_arn, k) for k in tag_keys])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str, **_: Any) -> dict[str, Any]:
        self._check_resource(ctx, resource_arn)
        rows = self.db.query("SELECT tag_key, tag_value FROM cw_tags WHERE arn = ? ORDER BY tag_key", (resource_arn,))
        return {"Tags": [{"Key": r["tag_key"], "Value": r["tag_value"]} for r in rows]}

    def _check_resource(self, ctx: RequestContext, arn: str) -> None:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "cloudwatch":
            raise InvalidParameterValue(f"Invalid value for parameter ResourceARN: {arn}")
        _, _, _, region, account, resource = parts
        exists = False
        if account == ctx.account:
            if resource.startswith("dashboard/") and region == "":
                exists = self.db.query_one("SELECT 1 FROM cw_dashboards WHERE account = ? AND region = '' AND name = ?",
                                           (account, resource[len("dashboard/"):])) is not None
            elif resource.startswith("insight-rule/") and region == ctx.region:
                exists = self.db.query_one("SELECT 1 FROM cw_insight_rules WHERE account = ? AND region = ? AND "
                                           "name = ?", (account, region, resource[len("insight-rule/"):])) is not None
            elif resource.startswith("alarm:") and region == ctx.region:
                check = getattr(self, "_alarm_exists", None)
                exists = bool(check(ctx, resource[len("alarm:"):])) if check is not None else False
        if not exists:
            raise ResourceNotFoundException("The specified resource does not exist.")
