"""AWS::CloudWatch::Alarm, AWS::CloudWatch::CompositeAlarm, AWS::CloudWatch::Dashboard
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html)."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, tags_list

_ALARM_PROPERTIES = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
                     "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
                     "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
                     "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")
_COMPOSITE_PROPERTIES = ("AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                         "InsufficientDataActions", "AlarmRule", "ActionsSuppressor", "ActionsSuppressorWaitPeriod",
                         "ActionsSuppressorExtensionPeriod")


def _params(props: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: props[k] for k in names if props.get(k) is not None}


class AlarmProvider(Provider):
    """Ref is the alarm name; GetAtt Arn. An update puts the alarm again (PutMetricAlarm replaces its
    whole configuration); a new AlarmName replaces it."""

    types = ("AWS::CloudWatch::Alarm",)
    replace = frozenset({"AlarmName"})
    name_property = "AlarmName"
    physical_is_name = True
    operation = "PutMetricAlarm"
    properties: tuple[str, ...] = _ALARM_PROPERTIES

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("AlarmName", 255)
        await self._put(d, name, tags=tags_list(d.properties.get("Tags")) or None)
        return Outcome(name, {"Arn": d.arn("cloudwatch", f"alarm:{name}")})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await self._put(d, name, tags=None)
        if d.properties.get("Tags") != d.old_properties.get("Tags") and d.properties.get("Tags"):
            await d.call("cloudwatch", "TagResource", {"ResourceARN": d.arn("cloudwatch", f"alarm:{name}"),
                                                       "Tags": tags_list(d.properties["Tags"])})
        return Outcome(name, {"Arn": d.arn("cloudwatch", f"alarm:{name}")})

    async def _put(self, d: Deployment, name: str, tags: list[dict[str, str]] | None) -> None:
        params = {"AlarmName": name, **_params(d.properties, self.properties)}
        if tags:
            params["Tags"] = tags
        await d.call("cloudwatch", self.operation, params)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("cloudwatch", "DeleteAlarms", {"AlarmNames": [d.physical_id]})


class CompositeAlarmProvider(AlarmProvider):
    """Ref is the alarm name; GetAtt Arn."""

    types = ("AWS::CloudWatch::CompositeAlarm",)
    operation = "PutCompositeAlarm"
    properties = _COMPOSITE_PROPERTIES


class DashboardProvider(Provider):
    """Ref is the dashboard name. DashboardBody is JSON text (an object is accepted and serialized)."""

    types = ("AWS::CloudWatch::Dashboard",)
    replace = frozenset({"DashboardName"})
    name_property = "DashboardName"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("DashboardName", 255)
        await self._put(d, name)
        return Outcome(name, {})

    async def update(self, d: Deployment) -> Outcome:
        await self._put(d, d.physical_id or "")
        return Outcome(d.physical_id or "", {})

    @staticmethod
    async def _put(d: Deployment, name: str) -> None:
        body = d.properties.get("DashboardBody")
        text = as_json(body) if isinstance(body, dict | list) else str(body or "")
        await d.call("cloudwatch", "PutDashboard", {"DashboardName": name, "DashboardBody": text})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("cloudwatch", "DeleteDashboards", {"DashboardNames": [d.physical_id]},
                                 missing=("NotFound", "does not exist"))


PROVIDERS = [AlarmProvider(), CompositeAlarmProvider(), DashboardProvider()]
