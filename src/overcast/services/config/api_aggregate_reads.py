"""Reading what was recorded across accounts and regions through an aggregator
(ListAggregateDiscoveredResources, GetAggregateResourceConfig, BatchGetAggregateResourceConfig,
GetAggregateDiscoveredResourceCounts), and the single-scope batch and count reads
(BatchGetResourceConfig, GetDiscoveredResourceCounts)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.api_aggregators import AggregatorOperations
from overcast.services.config.api_resources import api_item

_MAX_BATCH = 100


def _base_item(item: dict[str, Any]) -> dict[str, Any]:
    """A configuration item in the shape of BaseConfigurationItem (no tags or relationships)."""
    shaped = api_item(item)
    for key in ("tags", "relatedEvents", "relationships", "configurationItemMD5Hash"):
        shaped.pop(key, None)
    return shaped


def _not_discovered(resource_type: str, resource_id: str) -> Exception:
    return e.error("ResourceNotDiscoveredException",
                   f"Resource {resource_id} of resourceType:{resource_type} is unknown or has not been discovered")


class AggregateReadOperations(AggregatorOperations):
    def _aggregate_items(self, ctx: RequestContext, aggregator_name: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(account, region, latest item) of every live resource the aggregator sees."""
        doc = self.aggregator(ctx, aggregator_name)
        out = []
        for account, region in self.sources(ctx, doc):
            for (_kind, _rid), (_digest, deleted, item) in sorted(self.store.current(account, region).items()):
                if not deleted:
                    out.append((account, region, item))
        return out

    def list_aggregate_discovered_resources(self, ctx: RequestContext, configuration_aggregator_name: str,
                                            resource_type: str, filters: dict[str, Any] | None = None,
                                            limit: int | None = None, next_token: str | None = None,
                                            **_: Any) -> dict[str, Any]:
        filters = filters or {}
        found = []
        for account, region, item in self._aggregate_items(ctx, configuration_aggregator_name):
            if item["resourceType"] != resource_type:
                continue
            if any(filters.get(k) and filters[k] != v for k, v in (
                    ("AccountId", account), ("Region", region), ("ResourceId", item["resourceId"]),
                    ("ResourceName", item["resourceName"]))):
                continue
            found.append({"SourceAccountId": account, "SourceRegion": region, "ResourceId": item["resourceId"],
                          "ResourceType": resource_type, "ResourceName": item["resourceName"]})
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = limit or 100
        out: dict[str, Any] = {"ResourceIdentifiers": found[start:start + size]}
        if start + size < len(found):
            out["NextToken"] = str(start + size)
        return out

    def get_aggregate_resource_config(self, ctx: RequestContext, configuration_aggregator_name: str,
                                      resource_identifier: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self._aggregate_lookup(ctx, configuration_aggregator_name, resource_identifier)
        if item is None:
            raise _not_discovered(resource_identifier["ResourceType"], resource_identifier["ResourceId"])
        return {"ConfigurationItem": api_item(item)}

    def _aggregate_lookup(self, ctx: RequestContext, name: str, ident: dict[str, Any]) -> dict[str, Any] | None:
        doc = self.aggregator(ctx, name)
        scope = (ident["SourceAccountId"], ident["SourceRegion"])
        if scope not in self.sources(ctx, doc):
            return None
        item = self.store.latest(*scope, ident["ResourceType"], ident["ResourceId"])
        return item if item and item["configurationItemStatus"] != "ResourceDeleted" else None

    def batch_get_aggregate_resource_config(self, ctx: RequestContext, configuration_aggregator_name: str,
                                            resource_identifiers: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        self.aggregator(ctx, configuration_aggregator_name)
        if len(resource_identifiers) > _MAX_BATCH:
            raise e.validation(resource_identifiers, "resourceIdentifiers",
                               f"Member must have length less than or equal to {_MAX_BATCH}")
        found, missing = [], []
        for ident in resource_identifiers:
            item = self._aggregate_lookup(ctx, configuration_aggregator_name, ident)
            if item is None:
                missing.append(ident)
            else:
                found.append(_base_item(item))
        return {"BaseConfigurationItems": found, "UnprocessedResourceIdentifiers": missing}

    def get_aggregate_discovered_resource_counts(self, ctx: RequestContext, configuration_aggregator_name: str,
                                                 filters: dict[str, Any] | None = None, group_by_key: str | None = None,
                                                 **_: Any) -> dict[str, Any]:
        filters = filters or {}
        rows = [(a, r, i) for a, r, i in self._aggregate_items(ctx, configuration_aggregator_name)
                if all(not filters.get(k) or filters[k] == v for k, v in (
                    ("ResourceType", i["resourceType"]), ("AccountId", a), ("Region", r)))]
        out: dict[str, Any] = {"TotalDiscoveredResources": len(rows)}
        if group_by_key:
            index = {"RESOURCE_TYPE": 2, "ACCOUNT_ID": 0, "AWS_REGION": 1}[group_by_key]
            counts = Counter(row[2]["resourceType"] if index == 2 else row[index] for row in rows)
            out.update(GroupByKey=group_by_key,
                       GroupedResourceCounts=[{"GroupName": k, "ResourceCount": v} for k, v in sorted(counts.items())])
        return out

    def batch_get_resource_config(self, ctx: RequestContext, resource_keys: list[dict[str, Any]],
                                  **_: Any) -> dict[str, Any]:
        if len(resource_keys) > _MAX_BATCH:
            raise e.validation(resource_keys, "resourceKeys", f"Member must have length less than or equal to "
                               f"{_MAX_BATCH}")
        found, missing = [], []
        for key in resource_keys:
            item = self.store.latest(ctx.account, ctx.region, key["resourceType"], key["resourceId"])
            if item is None or item["configurationItemStatus"] == "ResourceDeleted":
                missing.append(key)
            else:
                found.append(_base_item(item))
        return {"baseConfigurationItems": found, "unprocessedResourceKeys": missing}

    def get_discovered_resource_counts(self, ctx: RequestContext, resource_types: list[str] | None = None,
                                       limit: int | None = None, next_token: str | None = None,
                                       **_: Any) -> dict[str, Any]:
        counts = Counter(kind for (kind, _rid), (_d, deleted, _i) in self.store.current(ctx.account, ctx.region).items()
                         if not deleted and (not resource_types or kind in resource_types))
        entries = [{"resourceType": k, "count": v} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]
        return {"totalDiscoveredResources": sum(counts.values()), "resourceCounts": entries}

    # -- advanced queries ------------------------------------------------------------------------

    @staticmethod
    def _query_page(query: Any, items: list[dict[str, Any]], limit: int | None,
                    next_token: str | None) -> dict[str, Any]:
        from overcast.services.config.query import queryable, select

        results = select(query, [queryable(i) for i in items])
        start = int(next_token) if next_token and next_token.isdigit() else 0
        size = limit or 100
        out: dict[str, Any] = {"Results": results[start:start + size],
                               "QueryInfo": {"SelectFields": [{"Name": f} for f in query.fields]}}
        if start + size < len(results):
            out["NextToken"] = str(start + size)
        return out

    def select_resource_config(self, ctx: RequestContext, expression: str, limit: int | None = None,
                               next_token: str | None = None, **_: Any) -> dict[str, Any]:
        from overcast.services.config.query import parse

        query = parse(expression)
        items = [i for (_k, _r), (_d, deleted, i) in sorted(self.store.current(ctx.account, ctx.region).items())
                 if not deleted]
        return self._query_page(query, items, limit, next_token)

    def select_aggregate_resource_config(self, ctx: RequestContext, expression: str,
                                         configuration_aggregator_name: str, limit: int | None = None,
                                         max_results: int | None = None, next_token: str | None = None,
                                         **_: Any) -> dict[str, Any]:
        from overcast.services.config.query import parse

        query = parse(expression)
        items = [i for _a, _r, i in self._aggregate_items(ctx, configuration_aggregator_name)]
        return self._query_page(query, items, limit or max_results, next_token)
