"""Lambda operations on concurrency, account settings, resource policies and layers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.code import UNZIPPED_LIMIT, ZIPPED_LIMIT
from overcast.services.lambda_.config import check_compatible_runtimes
from overcast.services.lambda_.errors import InvalidParameterValue, ResourceConflict, ResourceNotFound
from overcast.services.lambda_.layers import layer_arn, parse_layer_name
from overcast.services.lambda_.models import public
from overcast.services.lambda_.names import FunctionRef

MIN_UNRESERVED = 100


class SettingsOperations(ApiBase):
    # -- concurrency --------------------------------------------------------------------------

    def put_function_concurrency(self, ctx: RequestContext, function_name: str,
                                 reserved_concurrent_executions: int) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        limit = self.platform.config.concurrency_limit
        others = self.functions.total_reserved(ref.account, ref.region, excluding=ref.name)
        if limit - others - reserved_concurrent_executions < MIN_UNRESERVED:
            raise InvalidParameterValue(
                f"Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}].")
        self.functions.set_reserved(ref, reserved_concurrent_executions)
        return {"ReservedConcurrentExecutions": reserved_concurrent_executions}

    def get_function_concurrency(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        reserved = self.functions.reserved(self._ref(ctx, function_name))
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    def delete_function_concurrency(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        self.functions.set_reserved(self._ref(ctx, function_name), None)
        return {}

    def get_account_settings(self, ctx: RequestContext) -> dict[str, Any]:
        limit = self.platform.config.concurrency_limit
        names = self.functions.names(ctx.account, ctx.region)
        total = 0
        for name in names:
            for config in self.functions.versions(FunctionRef(ctx.account, ctx.region, name, None)):
                total += int(config.get("CodeSize", 0))
        return {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": UNZIPPED_LIMIT, "CodeSizeZipped": ZIPPED_LIMIT,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - self.functions.total_reserved(ctx.account, ctx.region),
            },
            "AccountUsage": {"TotalCodeSize": total, "FunctionCount": len(names)},
        }

    # -- resource policy ----------------------------------------------------------------------

    def add_permission(self, ctx: RequestContext, function_name: str, statement_id: str, action: str,
                       principal: str, qualifier: str | None = None, source_arn: str | None = None,
                       source_account: str | None = None, revision_id: str | None = None,
                       event_source_token: str | None = None, principal_org_id: str | None = None,
                       function_url_auth_type: str | None = None, **_: Any) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        config = self._configuration(ref)
        if revision_id is not None and revision_id != config.get("RevisionId"):
            from overcast.services.lambda_.models import check_revision

            check_revision(config, revision_id)
        policy = self.functions.policy(ref) or {"Version": "2012-10-17", "Id": "default", "Statement": []}
        if any(s.get("Sid") == statement_id for s in policy["Statement"]):
            raise ResourceConflict(f"The statement id ({statement_id}) provided already exists. Please provide a "
                                   "new statement id, or remove the existing statement.")
        statement: dict[str, Any] = {
            "Sid": statement_id, "Effect": "Allow",
            "Principal": {"Service": principal} if principal.endswith(".amazonaws.com") else {"AWS": principal},
            "Action": action, "Resource": ref.qualified_arn(),
        }
        condition: dict[str, Any] = {}
        if source_arn:
            condition.setdefault("ArnLike", {})["AWS:SourceArn"] = source_arn
        if source_account:
            condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = source_account
        if principal_org_id:
            condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = principal_org_id
        if function_url_auth_type:
            condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = function_url_auth_type
        if event_source_token:
            condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = event_source_token
        if condition:
            statement["Condition"] = condition
        policy["Statement"].append(statement)
        self.functions.set_policy(ref, policy)
        return {"Statement": json.dumps(statement)}

    def remove_permission(self, ctx: RequestContext, function_name: str, statement_id: str,
                          qualifier: str | None = None, revision_id: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        policy = self.functions.policy(ref)
        statements = (policy or {}).get("Statement", [])
        if not any(s.get("Sid") == statement_id for s in statements):
            raise ResourceNotFound(f"Statement {statement_id} is not found in resource policy.")
        assert policy is not None
        policy["Statement"] = [s for s in statements if s.get("Sid") != statement_id]
        self.functions.set_policy(ref, policy if policy["Statement"] else None)
        return {}

    def get_policy(self, ctx: RequestContext, function_name: str, qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        policy = self.functions.policy(ref)
        if not policy:
            raise ResourceNotFound("The resource you requested does not exist.")
        return {"Policy": json.dumps(policy), "RevisionId": self.functions.latest(ref).get("RevisionId")}

    # -- layers -------------------------------------------------------------------------------

    async def publish_layer_version(self, ctx: RequestContext, layer_name: str, content: dict[str, Any],
                                    **params: Any) -> dict[str, Any]:
        check_compatible_runtimes(params.get("compatible_runtimes"))
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        archive = content.get("ZipFile")
        if archive is None and content.get("S3Bucket"):
            archive = self._read_s3(content["S3Bucket"], content["S3Key"], content.get("S3ObjectVersion"))
        if archive is None:
            raise InvalidParameterValue("Please provide a source for layer content.")
        stored = await asyncio.to_thread(self.code.put, archive, "PublishLayerVersion")
        config = self.layers.publish(account, region, name, stored, params)
        return self._layer_view(ctx, config)

    def _layer_view(self, ctx: RequestContext, config: dict[str, Any]) -> dict[str, Any]:
        view = public(config)
        view["Content"] = {**config["Content"],
                           "Location": f"{ctx.endpoint}/_overcast/lambda-code/{config['_code']}.zip"}
        return view

    def get_layer_version(self, ctx: RequestContext, layer_name: str, version_number: int) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        return self._layer_view(ctx, self.layers.get(account, region, name, version_number))

    def get_layer_version_by_arn(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        base, _, version = arn.rpartition(":")
        if not version.isdigit():
            raise InvalidParameterValue(f"Invalid layer version ARN: {arn}")
        return self.get_layer_version(ctx, base, int(version))

    def list_layer_versions(self, ctx: RequestContext, layer_name: str, compatible_runtime: str | None = None,
                            marker: str | None = None, max_items: int | None = None, **_: Any) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        versions = [self._layer_view(ctx, v) for v in self.layers.versions(account, region, name)]
        for v in versions:
            v.pop("Content", None)
            v.pop("LayerArn", None)
        if compatible_runtime:
            versions = [v for v in versions if compatible_runtime in v.get("CompatibleRuntimes", [])]
        chunk, nxt = page(versions, marker, max_items)
        return {"LayerVersions": chunk, "NextMarker": nxt}

    def list_layers(self, ctx: RequestContext, compatible_runtime: str | None = None, marker: str | None = None,
                    max_items: int | None = None, **_: Any) -> dict[str, Any]:
        layers = []
        for name in self.layers.names(ctx.account, ctx.region):
            versions = self.layers.versions(ctx.account, ctx.region, name)
            if compatible_runtime:
                versions = [v for v in versions if compatible_runtime in v.get("CompatibleRuntimes", [])]
            if versions:
                latest = self._layer_view(ctx, versions[0])
                latest.pop("Content", None)
                latest.pop("LayerArn", None)
                layers.append({"LayerName": name, "LayerArn": layer_arn(ctx.region, ctx.account, name),
                               "LatestMatchingVersion": latest})
        chunk, nxt = page(layers, marker, max_items)
        return {"Layers": chunk, "NextMarker": nxt}

    def delete_layer_version(self, ctx: RequestContext, layer_name: str, version_number: int) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        self.layers.delete(account, region, name, version_number)
        return {}

    def add_layer_version_permission(self, ctx: RequestContext, layer_name: str, version_number: int,
                                     statement_id: str, action: str, principal: str,
                                     organization_id: str | None = None, revision_id: str | None = None) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        policy = self.layers.policy(account, region, name, version_number) or \
            {"Version": "2012-10-17", "Id": "default", "Statement": []}
        if any(s["Sid"] == statement_id for s in policy["Statement"]):
            raise ResourceConflict(f"The statement id ({statement_id}) provided already exists. Please provide a "
                                   "new statement id, or remove the existing statement.")
        statement: dict[str, Any] = {"Sid": statement_id, "Effect": "Allow", "Principal": principal,
                                     "Action": action, "Resource": layer_arn(region, account, name, version_number)}
        if organization_id:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
        policy["Statement"].append(statement)
        self.layers.set_policy(account, region, name, version_number, policy)
        return {"Statement": json.dumps(statement), "RevisionId": "1"}

    def remove_layer_version_permission(self, ctx: RequestContext, layer_name: str, version_number: int,
                                        statement_id: str, revision_id: str | None = None) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        policy = self.layers.policy(account, region, name, version_number)
        if not policy or not any(s["Sid"] == statement_id for s in policy["Statement"]):
            raise ResourceNotFound(f"Statement {statement_id} is not found in resource policy.")
        policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != statement_id]
        self.layers.set_policy(account, region, name, version_number, policy if policy["Statement"] else None)
        return {}

    def get_layer_version_policy(self, ctx: RequestContext, layer_name: str, version_number: int) -> dict[str, Any]:
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        policy = self.layers.policy(account, region, name, version_number)
        if not policy:
            raise ResourceNotFound("No policy is associated with the given resource.")
        return {"Policy": json.dumps(policy), "RevisionId": "1"}
