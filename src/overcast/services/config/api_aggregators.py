"""Aggregators and aggregation authorizations
(https://docs.aws.amazon.com/config/latest/developerguide/aggregate-data.html), and retention
configurations. An aggregator collects the recorded items of its source accounts and regions; an
account other than the aggregator's own contributes only once it has authorized the aggregator's
account and region (PutAggregationAuthorization), as on AWS. Organization sources take every
account overcast has recorded in."""

from __future__ import annotations

import secrets
import string
from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.api_base import ApiBase
from overcast.services.config.tags import check_tags

AGGREGATOR, AUTHORIZATION, RETENTION = "aggregator", "authorization", "retention"
_NO_AGGREGATOR = "The configuration aggregator does not exist. Check the configuration aggregator name and try again."


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _check_regions(source: dict[str, Any]) -> None:
    """A source names its regions, or all of them, and not both."""
    if source.get("AwsRegions") and source.get("AllAwsRegions"):
        raise e.invalid("You must choose one of these options: AllAwsRegions or AwsRegions")
    if not source.get("AwsRegions") and not source.get("AllAwsRegions"):
        raise e.invalid("Your request does not specify any regions. Select AWS Config-supported regions and try "
                        "again.")


def named_page(docs: list[dict[str, Any]], key: str, limit: int | None, token: str | None,
               default_limit: int = 100) -> tuple[list[dict[str, Any]], str | None]:
    """A page of documents whose next token is the next document's `key` (AWS Config's paging for
    aggregators and authorizations); an unknown token is `InvalidNextTokenException`."""
    start = 0
    if token:
        keys = [d[key] for d in docs]
        if token not in keys:
            raise e.error("InvalidNextTokenException", "The nextToken provided is invalid")
        start = keys.index(token)
    size = limit or default_limit
    chunk = docs[start:start + size]
    following = docs[start + size:start + size + 1]
    return chunk, (following[0][key] if following else None)


class AggregatorOperations(ApiBase):
    # -- aggregators ---------------------------------------------------------------------------

    def put_configuration_aggregator(self, ctx: RequestContext, configuration_aggregator_name: str,
                                     account_aggregation_sources: list[dict[str, Any]] | None = None,
                                     organization_aggregation_source: dict[str, Any] | None = None,
                                     tags: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        tag_map = check_tags(tags)
        if account_aggregation_sources and organization_aggregation_source:
            raise e.invalid("The configuration aggregator cannot be created because your request contains both the "
                            "AccountAggregationSource and the OrganizationAggregationSource. Include only one "
                            "aggregation source and try again.")
        if not account_aggregation_sources and not organization_aggregation_source:
            raise e.invalid("The configuration aggregator cannot be created because your request is missing either "
                            "the AccountAggregationSource or the OrganizationAggregationSource. Include the "
                            "appropriate aggregation source and try again.")
        for source in account_aggregation_sources or []:
            _check_regions(source)
        if organization_aggregation_source:
            _check_regions(organization_aggregation_source)
        now = self.platform.clock.now()
        old = self.store.doc(ctx.account, ctx.region, AGGREGATOR, configuration_aggregator_name)
        suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
        doc: dict[str, Any] = {
            "ConfigurationAggregatorName": configuration_aggregator_name,
            "ConfigurationAggregatorArn": (old or {}).get("ConfigurationAggregatorArn")
            or f"arn:aws:config:{ctx.region}:{ctx.account}:config-aggregator/config-aggregator-{suffix}",
            "CreationTime": (old or {}).get("CreationTime", now), "LastUpdatedTime": now,
            "_tags": {**((old or {}).get("_tags") or {}), **tag_map},
        }
        if account_aggregation_sources:
            doc["AccountAggregationSources"] = account_aggregation_sources
        else:
            doc["OrganizationAggregationSource"] = {"AllAwsRegions": False, **(organization_aggregation_source or {})}
        self.store.put(ctx.account, ctx.region, AGGREGATOR, configuration_aggregator_name, doc)
        return {"ConfigurationAggregator": _public(doc)}

    def aggregator(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.store.doc(ctx.account, ctx.region, AGGREGATOR, name)
        if doc is None:
            raise e.error("NoSuchConfigurationAggregatorException", _NO_AGGREGATOR)
        return doc

    def describe_configuration_aggregators(self, ctx: RequestContext,
                                           configuration_aggregator_names: list[str] | None = None,
                                           next_token: str | None = None, limit: int | None = None,
                                           **_: Any) -> dict[str, Any]:
        docs = self.store.docs(ctx.account, ctx.region, AGGREGATOR)
        if configuration_aggregator_names:
            by_name = {d["ConfigurationAggregatorName"]: d for d in docs}
            missing = [n for n in configuration_aggregator_names if n not in by_name]
            if missing:
                message = _NO_AGGREGATOR if len(configuration_aggregator_names) == 1 else (
                    "At least one of the configuration aggregators does not exist. Check the configuration "
                    "aggregator names and try again.")
                raise e.error("NoSuchConfigurationAggregatorException", message)
            docs = [by_name[n] for n in configuration_aggregator_names]
        chunk, following = named_page(docs, "ConfigurationAggregatorName", limit, next_token)
        out: dict[str, Any] = {"ConfigurationAggregators": [_public(d) for d in chunk]}
        if following:
            out["NextToken"] = following
        return out

    def delete_configuration_aggregator(self, ctx: RequestContext, configuration_aggregator_name: str,
                                        **_: Any) -> dict[str, Any]:
        self.aggregator(ctx, configuration_aggregator_name)
        self.store.delete(ctx.account, ctx.region, AGGREGATOR, configuration_aggregator_name)
        return {}

    def describe_configuration_aggregator_sources_status(self, ctx: RequestContext,
                                                         configuration_aggregator_name: str,
                                                         **_: Any) -> dict[str, Any]:
        doc = self.aggregator(ctx, configuration_aggregator_name)
        now = self.platform.clock.now()
        statuses = [{"SourceId": account, "SourceType": "ACCOUNT" if "AccountAggregationSources" in doc
                     else "ORGANIZATION", "AwsRegion": region, "LastUpdateStatus": "SUCCEEDED",
                     "LastUpdateTime": now} for account, region in self.sources(ctx, doc)]
        return {"AggregatedSourceStatusList": statuses}

    def sources(self, ctx: RequestContext, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """(account, region) pairs the aggregator reads: its sources' accounts and regions that have
        recorded anything, another account only when it authorized this aggregator's account and region."""
        recorded = [(r["account"], r["region"]) for r in self.platform.db.query(
            "SELECT DISTINCT account, region FROM config_current ORDER BY account, region")]
        if "AccountAggregationSources" in doc:
            source = doc["AccountAggregationSources"][0]
            accounts: set[str] | None = set(source.get("AccountIds") or [])
        else:
            source, accounts = doc["OrganizationAggregationSource"], None
        regions = None if source.get("AllAwsRegions") else set(source.get("AwsRegions") or [])
        out = []
        for account, region in recorded:
            if (accounts is not None and account not in accounts) or (regions is not None and region not in regions):
                continue
            if account != ctx.account and self.store.doc(account, region, AUTHORIZATION,
                                                         f"{ctx.account}/{ctx.region}") is None:
                continue
            out.append((account, region))
        return out

    # -- aggregation authorizations -----------------------------------------------------------------

    def put_aggregation_authorization(self, ctx: RequestContext, authorized_account_id: str,
                                      authorized_aws_region: str, tags: list[dict[str, Any]] | None = None,
                                      **_: Any) -> dict[str, Any]:
        tag_map = check_tags(tags)
        key = f"{authorized_account_id}/{authorized_aws_region}"
        old = self.store.doc(ctx.account, ctx.region, AUTHORIZATION, key) or {}
        doc = {"AggregationAuthorizationArn": f"arn:aws:config:{ctx.region}:{ctx.account}:aggregation-authorization/"
                                              f"{key}",
               "AuthorizedAccountId": authorized_account_id, "AuthorizedAwsRegion": authorized_aws_region,
               "CreationTime": old.get("CreationTime", self.platform.clock.now()), "_key": key,
               "_tags": {**(old.get("_tags") or {}), **tag_map}}
        self.store.put(ctx.account, ctx.region, AUTHORIZATION, key, doc)
        return {"AggregationAuthorization": _public(doc)}

    def describe_aggregation_authorizations(self, ctx: RequestContext, limit: int | None = None,
                                            next_token: str | None = None, **_: Any) -> dict[str, Any]:
        docs = self.store.docs(ctx.account, ctx.region, AUTHORIZATION)
        chunk, following = named_page(docs, "_key", limit, next_token)
        out: dict[str, Any] = {"AggregationAuthorizations": [_public(d) for d in chunk]}
        if following:
            out["NextToken"] = following
        return out

    def delete_aggregation_authorization(self, ctx: RequestContext, authorized_account_id: str,
                                         authorized_aws_region: str, **_: Any) -> dict[str, Any]:
        self.store.delete(ctx.account, ctx.region, AUTHORIZATION, f"{authorized_account_id}/{authorized_aws_region}")
        return {}

    def describe_pending_aggregation_requests(self, ctx: RequestContext, **_: Any) -> dict[str, Any]:
        """Aggregators of other accounts naming this one that it has not authorized yet."""
        pending = []
        for account, region, doc in self.store.all_docs(AGGREGATOR):
            source = (doc.get("AccountAggregationSources") or [{}])[0]
            if account == ctx.account or ctx.account not in (source.get("AccountIds") or []):
                continue
            if self.store.doc(ctx.account, ctx.region, AUTHORIZATION, f"{account}/{region}") is None:
                pending.append({"RequesterAccountId": account, "RequesterAwsRegion": region})
        return {"PendingAggregationRequests": pending}

    def delete_pending_aggregation_request(self, ctx: RequestContext, requester_account_id: str,
                                           requester_aws_region: str, **_: Any) -> dict[str, Any]:
        return {}

    # -- retention -----------------------------------------------------------------------------

    def put_retention_configuration(self, ctx: RequestContext, retention_period_in_days: int,
                                    **_: Any) -> dict[str, Any]:
        """AWS keeps one retention configuration per account and region, named `default`; items
        older than the period are deleted (30 to 2557 days)."""
        if not 30 <= retention_period_in_days <= 2557:
            bound = ("greater than or equal to 30" if retention_period_in_days < 30
                     else "less than or equal to 2557")
            raise e.validation(retention_period_in_days, "retentionPeriodInDays", f"Member must have value {bound}")
        doc = {"Name": "default", "RetentionPeriodInDays": retention_period_in_days}
        self.store.put(ctx.account, ctx.region, RETENTION, "default", doc)
        return {"RetentionConfiguration": doc}

    def describe_retention_configurations(self, ctx: RequestContext,
                                          retention_configuration_names: list[str] | None = None,
                                          **_: Any) -> dict[str, Any]:
        names = retention_configuration_names or []
        if len(names) > 1:
            raise e.validation(names, "retentionConfigurationNames", "Member must have length less than or equal to 1")
        docs = self.store.docs(ctx.account, ctx.region, RETENTION)
        if names and (names[0] != "default" or not docs):
            raise e.error("NoSuchRetentionConfigurationException",
                          f"Cannot find retention configuration with the specified name '{names[0]}'.")
        return {"RetentionConfigurations": docs}

    def delete_retention_configuration(self, ctx: RequestContext, retention_configuration_name: str,
                                       **_: Any) -> dict[str, Any]:
        if self.store.doc(ctx.account, ctx.region, RETENTION, retention_configuration_name) is None:
            raise e.error("NoSuchRetentionConfigurationException", "Cannot find retention configuration with the "
                          f"specified name '{retention_configuration_name}'.")
        self.store.delete(ctx.account, ctx.region, RETENTION, retention_configuration_name)
        return {}
