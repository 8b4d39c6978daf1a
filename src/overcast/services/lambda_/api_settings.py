"""Lambda operations on concurrency, account settings, resource policies and layers."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_ import policy_rules
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.api_provisioned import provisioned_total, unreserved
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.code import UNZIPPED_LIMIT, ZIPPED_LIMIT, hot_reload_folder
from overcast.services.lambda_.config import check_compatible_runtimes
from overcast.services.lambda_.layers import layer_arn, parse_layer_name
from overcast.services.lambda_.models import check_revision, public
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.settings import MIN_UNRESERVED


class SettingsOperations(ApiBase):
    # -- concurrency --------------------------------------------------------------------------

    def put_function_concurrency(self, ctx: RequestContext, function_name: str,
                                 reserved_concurrent_executions: int) -> dict[str, Any]:
        ref = self._unqualified(ctx, function_name)
        self.functions.latest(ref)
        limit = self.platform.config.concurrency_limit
        others = self.functions.total_reserved(ref.account, ref.region, excluding=ref.name)
        # provisioned concurrency of functions without reserved concurrency comes out of the unreserved pool
        provisioned = provisioned_total(self.platform, ref.account, ref.region, unreserved_only=True)
        if self.functions.reserved(ref) is None:
            provisioned -= provisioned_total(self.platform, ref.account, ref.region, function=ref.name)
        if limit - others - provisioned - reserved_concurrent_executions < MIN_UNRESERVED:
            raise error("unreserved_minimum", minimum=MIN_UNRESERVED)
        self.functions.set_reserved(ref, reserved_concurrent_executions)
        return {"ReservedConcurrentExecutions": reserved_concurrent_executions}

    def _unqualified(self, ctx: RequestContext, function_name: str) -> FunctionRef:
        """Reserved concurrency belongs to the function: a version or alias ARN is refused."""
        ref = self._ref(ctx, function_name)
        if ref.qualifier:
            raise error("functions_only")
        return ref

    def get_function_concurrency(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        reserved = self.functions.reserved(self._unqualified(ctx, function_name))
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    def delete_function_concurrency(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        self.functions.set_reserved(self._unqualified(ctx, function_name), None)
        return {}

    def get_account_settings(self, ctx: RequestContext) -> dict[str, Any]:
        limit = self.platform.config.concurrency_limit
        names = self.functions.names(ctx.account, ctx.region)
        total = 0
        for name in names:
            for config in self.functions.versions(FunctionRef(ctx.account, ctx.region, name, None)):
                total += int(config.get("CodeSize", 0))
        for layer in self.layers.names(ctx.account, ctx.region):  # AWS counts layers' code too
            total += sum(int(v["Content"]["CodeSize"]) for v in self.layers.versions(ctx.account, ctx.region, layer))
        return {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": UNZIPPED_LIMIT, "CodeSizeZipped": ZIPPED_LIMIT,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": unreserved(self.platform, ctx.account, ctx.region),
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
        self._configuration(ref)
        if revision_id is not None and revision_id != self.functions.revision(ref, ref.qualifier):
            check_revision({}, revision_id)
        policy = self.functions.policy(ref) or {"Version": "2012-10-17", "Id": "default", "Statement": []}
        if any(s.get("Sid") == statement_id for s in policy["Statement"]):
            raise error("statement_exists", sid=statement_id)
        statement: dict[str, Any] = {
            "Sid": statement_id, "Effect": "Allow", "Principal": _principal(principal),
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
        policy_rules.check(policy, block_public=self.platform.config.lambda_block_public_access)
        self.functions.set_policy(ref, policy)
        self.functions.touch(ref, ref.qualifier)  # AWS issues a new RevisionId with each policy change
        return {"Statement": json.dumps(statement)}

    def remove_permission(self, ctx: RequestContext, function_name: str, statement_id: str,
                          qualifier: str | None = None, revision_id: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        self._configuration(ref)
        if revision_id is not None and revision_id != self.functions.revision(ref, ref.qualifier):
            check_revision({}, revision_id)
        policy = self.functions.policy(ref)
        statements = (policy or {}).get("Statement", [])
        if not any(s.get("Sid") == statement_id for s in statements):
            raise error("statement_not_found", sid=statement_id)
        assert policy is not None
        policy["Statement"] = [s for s in statements if s.get("Sid") != statement_id]
        self.functions.set_policy(ref, policy if policy["Statement"] else None)
        self.functions.touch(ref, ref.qualifier)
        return {}

    def get_policy(self, ctx: RequestContext, function_name: str, qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        self._configuration(ref)
        policy = self.functions.policy(ref)  # each version and alias has its own
        if not policy:
            raise error("policy_not_found")
        return {"Policy": json.dumps(policy), "RevisionId": self.functions.revision(ref, ref.qualifier)}

    # -- layers -------------------------------------------------------------------------------

    async def publish_layer_version(self, ctx: RequestContext, layer_name: str, content: dict[str, Any],
                                    **params: Any) -> dict[str, Any]:
        check_compatible_runtimes(params.get("compatible_runtimes"))
        account, region, name = parse_layer_name(layer_name, ctx.account, ctx.region)
        folder = hot_reload_folder(content)
        if folder is not None:  # hot reload: the layer's files are that folder's, as they are now
            return self._layer_view(ctx, self.layers.publish(account, region, name, None, params, hot=folder))
        archive = content.get("ZipFile")
        direct = archive is not None
        if archive is None and content.get("S3Bucket"):
            archive = self._read_s3(content["S3Bucket"], content["S3Key"], content.get("S3ObjectVersion"))
        if archive is None:
            raise error("no_layer_source")
        stored = await asyncio.to_thread(self.code.put, archive, "PublishLayerVersion", direct)
        config = self.layers.publish(account, region, name, stored, params)
        return self._layer_view(ctx, config)

    def _layer_view(self, ctx: RequestContext, config: dict[str, Any]) -> dict[str, Any]:
        view = public(config)
        location = f"Code location: {config['_hot']}" if config.get("_hot") else \
            f"{ctx.endpoint}/_overcast/lambda-code/{config['_code']}.zip"
        view["Content"] = {**config["Content"], "Location": location}
        return view

    def get_layer_version(self, ctx: RequestContext, layer_name: str, version_number: int) -> dict[str, Any]:
        account, region, name = self._layer(ctx, layer_name, version_number)
        return self._layer_view(ctx, self.layers.get(account, region, name, version_number))

    def get_layer_version_by_arn(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        base, _, version = arn.rpartition(":")
        if not version.isdigit():
            raise error("invalid_layer_arn", arn=arn)
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
        account, region, name = self._layer(ctx, layer_name, version_number)
        self.layers.delete(account, region, name, version_number)
        return {}

    def _layer(self, ctx: RequestContext, layer_name: str, version_number: int) -> tuple[str, str, str]:
        if version_number < 1:
            raise error("layer_version_min")
        return parse_layer_name(layer_name, ctx.account, ctx.region)

    def add_layer_version_permission(self, ctx: RequestContext, layer_name: str, version_number: int,
                                     statement_id: str, action: str, principal: str,
                                     organization_id: str | None = None, revision_id: str | None = None) -> dict[str, Any]:
        account, region, name = self._layer(ctx, layer_name, version_number)
        policy = self.layers.policy(account, region, name, version_number) or \
            {"Version": "2012-10-17", "Id": "default", "Statement": []}
        _check_layer_revision(policy, revision_id)
        if any(s["Sid"] == statement_id for s in policy["Statement"]):
            raise error("statement_exists", sid=statement_id)
        statement: dict[str, Any] = {"Sid": statement_id, "Effect": "Allow", "Principal": principal,
                                     "Action": action, "Resource": layer_arn(region, account, name, version_number)}
        if organization_id:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
        policy["Statement"].append(statement)
        policy["_revision"] = str(uuid.uuid4())  # each statement gives the layer version's policy a new RevisionId
        self.layers.set_policy(account, region, name, version_number, policy)
        return {"Statement": json.dumps(statement), "RevisionId": policy["_revision"]}

    def remove_layer_version_permission(self, ctx: RequestContext, layer_name: str, version_number: int,
                                        statement_id: str, revision_id: str | None = None) -> dict[str, Any]:
        account, region, name = self._layer(ctx, layer_name, version_number)
        policy = self.layers.policy(account, region, name, version_number)
        if not policy or not any(s["Sid"] == statement_id for s in policy["Statement"]):
            raise error("statement_not_found", sid=statement_id)
        _check_layer_revision(policy, revision_id)
        policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != statement_id]
        policy["_revision"] = str(uuid.uuid4())
        self.layers.set_policy(account, region, name, version_number, policy if policy["Statement"] else None)
        return {}

    def get_layer_version_policy(self, ctx: RequestContext, layer_name: str, version_number: int) -> dict[str, Any]:
        account, region, name = self._layer(ctx, layer_name, version_number)
        policy = self.layers.policy(account, region, name, version_number)
        if not policy:
            raise error("layer_policy_not_found")
        return {"Policy": json.dumps(public(policy)), "RevisionId": policy.get("_revision")}


def _check_layer_revision(policy: dict[str, Any], revision_id: str | None) -> None:
    if revision_id is not None and revision_id != policy.get("_revision"):
        raise error("layer_revision_mismatch")


def _principal(principal: str) -> Any:
    """A statement's Principal as AWS writes it: `*` stays a string, an account id becomes its root
    ARN, a service stays a service."""
    if principal == "*":
        return "*"
    if principal.isdigit() and len(principal) == 12:
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.endswith((".amazonaws.com", ".amazonaws.com.cn", ".amazon.com")):  # alexa-appkit.amazon.com
        return {"Service": principal}
    return {"AWS": principal}
