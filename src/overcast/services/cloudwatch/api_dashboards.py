"""Dashboards: PutDashboard, GetDashboard, ListDashboards, DeleteDashboards.

Dashboards belong to the account, not to a region: their ARN is `arn:aws:cloudwatch::<account>:dashboard/<name>`.
"""

from __future__ import annotations

import re
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.dashboards import body_problems, invalid_body_message
from overcast.services.cloudwatch.errors import (
    InvalidParameterInput,
    InvalidParameterValue,
    ResourceNotFound,
)
from overcast.services.cloudwatch.paging import page

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
LIST_PAGE = 1000


def dashboard_arn(account: str, name: str) -> str:
    """A dashboard's ARN (dashboards are global: no region)."""
    return f"arn:aws:cloudwatch::{account}:dashboard/{name}"


class DashboardOperations(ApiBase):
    """PutDashboard, GetDashboard, ListDashboards, DeleteDashboards."""

    def put_dashboard(self, ctx: RequestContext, dashboard_name: str, dashboard_body: str,
                      tags: list[dict[str, str]] | None = None, **_: Any) -> dict[str, Any]:
        if not _NAME.match(dashboard_name):
            raise InvalidParameterValue("The value for field DashboardName contains invalid characters. It can only "
                                        "contain alphanumerics, dash (-) and underscore (_).")
        problems = body_problems(dashboard_body)
        if problems:
            raise InvalidParameterInput(invalid_body_message(problems), fields={"dashboardValidationMessages": problems})
        with self.db.tx():
            self.db.execute(
                "INSERT INTO cw_dashboards(account, region, name, body, modified) VALUES (?, '', ?, ?, ?) "
                "ON CONFLICT(account, region, name) DO UPDATE SET body = excluded.body, modified = excluded.modified",
                (ctx.account, dashboard_name, dashboard_body, self.platform.clock.now()))
            if tags:
                self.tag_arn(dashboard_arn(ctx.account, dashboard_name), tags)
        return {"DashboardValidationMessages": []}

    def get_dashboard(self, ctx: RequestContext, dashboard_name: str, **_: Any) -> dict[str, Any]:
        row = self.db.query_one("SELECT body FROM cw_dashboards WHERE account = ? AND region = '' AND name = ?",
                                (ctx.account, dashboard_name))
        if row is None:
            raise ResourceNotFound(f"Dashboard {dashboard_name} does not exist")
        return {"DashboardArn": dashboard_arn(ctx.account, dashboard_name), "DashboardBody": row["body"],
                "DashboardName": dashboard_name}

    def list_dashboards(self, ctx: RequestContext, dashboard_name_prefix: str | None = None,
                        next_token: str | None = None, **_: Any) -> dict[str, Any]:
        rows = self.db.query("SELECT name, body, modified FROM cw_dashboards WHERE account = ? AND region = '' "
                             "ORDER BY name", (ctx.account,))
        prefix = dashboard_name_prefix or ""
        entries = [{"DashboardName": r["name"], "DashboardArn": dashboard_arn(ctx.account, r["name"]),
                    "LastModified": r["modified"], "Size": len(r["body"].encode())}
                   for r in rows if r["name"].startswith(prefix)]
        items, token = page(entries, next_token, LIST_PAGE, prefix)
        return {"DashboardEntries": items, **({"NextToken": token} if token else {})}

    def delete_dashboards(self, ctx: RequestContext, dashboard_names: list[str], **_: Any) -> dict[str, Any]:
        with self.db.tx():
            for name in dashboard_names:
                if self.db.query_one("SELECT 1 FROM cw_dashboards WHERE account = ? AND region = '' AND name = ?",
                                     (ctx.account, name)) is None:
                    raise ResourceNotFound(f"Dashboard {name} does not exist")
            for name in dashboard_names:
                self.db.execute("DELETE FROM cw_dashboards WHERE account = ? AND region = '' AND name = ?",
                                (ctx.account, name))
                self.untag_all(dashboard_arn(ctx.account, name))
        return {}
