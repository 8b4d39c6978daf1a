"""The CloudWatch API: one mixin per group of operations (alarms add theirs to the bases here)."""

from __future__ import annotations

from overcast.services.cloudwatch.api_alarms import AlarmOperations
from overcast.services.cloudwatch.api_dashboards import DashboardOperations
from overcast.services.cloudwatch.api_insights import InsightRuleOperations
from overcast.services.cloudwatch.api_metric_data import MetricDataOperations
from overcast.services.cloudwatch.api_metrics import MetricOperations
from overcast.services.cloudwatch.api_tags import TagOperations


class CloudWatchApi(MetricOperations, MetricDataOperations, DashboardOperations, InsightRuleOperations,
                    TagOperations, AlarmOperations):
    """Every CloudWatch operation overcast serves."""
