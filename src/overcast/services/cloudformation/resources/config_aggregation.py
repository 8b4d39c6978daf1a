"""AWS Config: AWS::Config::ConfigurationAggregator, AWS::Config::AggregationAuthorization and
AWS::Config::ConformancePack (their properties are the API's members, PascalCase in both).
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_Config.html"""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick


class AggregatorProvider(Provider):
    """Ref is the aggregator's name; GetAtt ConfigurationAggregatorArn."""

    types = ("AWS::Config::ConfigurationAggregator",)
    replace = frozenset({"ConfigurationAggregatorName"})
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        return await self._put(d, d.name("ConfigurationAggregatorName", 256))

    async def update(self, d: Deployment) -> Outcome:
        return await self._put(d, d.physical_id or "")

    async def _put(self, d: Deployment, name: str) -> Outcome:
        params: dict[str, Any] = {"ConfigurationAggregatorName": name,
                                  **pick(d.properties, "AccountAggregationSources", "OrganizationAggregationSource",
                                         "Tags")}
        found = (await d.call("config", "PutConfigurationAggregator", params))["ConfigurationAggregator"]
        return Outcome(name, {"ConfigurationAggregatorArn": found["ConfigurationAggregatorArn"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("config", "DeleteConfigurationAggregator",
                                 {"ConfigurationAggregatorName": d.physical_id})


class AuthorizationProvider(Provider):
    """Ref is `{account}/{region}`; GetAtt AggregationAuthorizationArn."""

    types = ("AWS::Config::AggregationAuthorization",)
    replace = frozenset({"AuthorizedAccountId", "AuthorizedAwsRegion"})

    async def create(self, d: Deployment) -> Outcome:
        params = pick(d.properties, "AuthorizedAccountId", "AuthorizedAwsRegion", "Tags")
        found = (await d.call("config", "PutAggregationAuthorization", params))["AggregationAuthorization"]
        key = f"{found['AuthorizedAccountId']}/{found['AuthorizedAwsRegion']}"
        return Outcome(key, {"AggregationAuthorizationArn": found["AggregationAuthorizationArn"]})

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            account, _, region = d.physical_id.partition("/")
            await d.call_quietly("config", "DeleteAggregationAuthorization",
                                 {"AuthorizedAccountId": account, "AuthorizedAwsRegion": region})


class ConformancePackProvider(Provider):
    """Ref is the pack's name."""

    types = ("AWS::Config::ConformancePack",)
    replace = frozenset({"ConformancePackName"})
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        return await self._put(d, d.name("ConformancePackName", 256))

    async def update(self, d: Deployment) -> Outcome:
        return await self._put(d, d.physical_id or "")

    async def _put(self, d: Deployment, name: str) -> Outcome:
        params = {"ConformancePackName": name, **pick(d.properties, "TemplateBody", "TemplateS3Uri",
                                                      "DeliveryS3Bucket", "DeliveryS3KeyPrefix",
                                                      "ConformancePackInputParameters")}
        await d.call("config", "PutConformancePack", params)
        return Outcome(name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("config", "DeleteConformancePack", {"ConformancePackName": d.physical_id})


MORE_PROVIDERS: list[Provider] = [AggregatorProvider(), AuthorizationProvider(), ConformancePackProvider()]
