"""GetParametersByPath and DescribeParameters: listing parameters by hierarchy and filters, paged."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ssm import filters, names, policies, public
from overcast.services.ssm.api_base import ApiBase, page
from overcast.services.ssm.errors import ValidationException

_METADATA = ("Name", "ARN", "Type", "KeyId", "LastModifiedDate", "LastModifiedUser", "Description", "AllowedPattern",
             "Version", "Tier", "DataType")


class QueryOperations(ApiBase):
    def get_parameters_by_path(self, ctx: RequestContext, path: str, recursive: bool = False,
                               parameter_filters: list[dict[str, Any]] | None = None, with_decryption: bool = False,
                               max_results: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        names.check_path(path)
        filters.check(parameter_filters, by_path=True)
        if public.is_public(path):
            docs = public.under(ctx.region, path, recursive)
        else:
            docs = [d for d in self.store.all(ctx.account, ctx.region)
                    if filters.matches(d, [{"Key": "Path", "Option": "Recursive" if recursive else "OneLevel",
                                            "Values": [path]}])]
            if parameter_filters:
                docs = [d for d in docs if filters.matches(d, parameter_filters, self._labels(ctx, d))]
        chunk, token = page(docs, next_token, max_results or 10)
        out: dict[str, Any] = {"Parameters": [self._parameter(ctx, d, with_decryption) for d in chunk]}
        if token:
            out["NextToken"] = token
        return out

    def _labels(self, ctx: RequestContext, doc: dict[str, Any]) -> list[str]:
        versions = self.store.versions(ctx.account, ctx.region, names.key(doc["Name"]))
        return [label for v in versions for label in v.get("Labels") or []]

    def describe_parameters(self, ctx: RequestContext, filters: list[dict[str, Any]] | None = None,
                            parameter_filters: list[dict[str, Any]] | None = None, max_results: int | None = None,
                            next_token: str | None = None, **_: Any) -> dict[str, Any]:
        if filters and parameter_filters:
            raise ValidationException("You can use either Filters or ParameterFilters in a single request.")
        _check(parameter_filters)
        docs = [d for d in self.store.all(ctx.account, ctx.region)
                if _matches(d, parameter_filters) and _legacy(d, filters)]
        chunk, token = page(docs, next_token, max_results or 10)
        out: dict[str, Any] = {"Parameters": [_metadata(d) for d in chunk]}
        if token:
            out["NextToken"] = token
        return out


def _check(parameter_filters: list[dict[str, Any]] | None) -> None:
    filters.check(parameter_filters, by_path=False)


def _matches(doc: dict[str, Any], parameter_filters: list[dict[str, Any]] | None) -> bool:
    return filters.matches(doc, parameter_filters)


def _legacy(doc: dict[str, Any], legacy: list[dict[str, Any]] | None) -> bool:
    return filters.matches_legacy(doc, legacy)


def _metadata(doc: dict[str, Any]) -> dict[str, Any]:
    """A parameter as DescribeParameters answers it (no value)."""
    view = {k: doc[k] for k in _METADATA if doc.get(k) is not None}
    view["Policies"] = policies.describe(doc)
    return view
