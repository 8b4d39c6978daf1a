"""Lambda control-plane operations on functions, versions and aliases."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.api_provisioned import drop_alias, follow_alias
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.code import HOT_RELOAD_SHA, StoredCode, hot_reload_folder
from overcast.services.lambda_.config import (
    PYTHON_RUNTIMES,
    apply_optional,
    base_configuration,
    check_function_name,
    check_limits,
    check_request_size,
    check_runtime,
    logging_config,
    snap_start,
)
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.models import LATEST, alias_arn, check_revision, public
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.runtimes import today_utc
from overcast.services.lambda_.settings import SettingsStore


class FunctionOperations(ApiBase):
    # -- code ---------------------------------------------------------------------------------

    async def _code_fields(self, code: dict[str, Any], operation: str) -> dict[str, Any]:
        """The configuration fields of new code: a stored archive's, or a hot-reload folder's."""
        folder = hot_reload_folder(code)
        if folder is not None:
            return {"CodeSize": 0, "CodeSha256": HOT_RELOAD_SHA, "_code": "", "_hot": folder}
        stored = await self._store_code(code, operation)
        return {"CodeSize": stored.size, "CodeSha256": stored.sha256_b64, "_code": stored.sha_hex, "_hot": None}

    async def _store_code(self, code: dict[str, Any], operation: str) -> StoredCode:
        if code.get("ImageUri"):
            raise error("images_unsupported")
        archive = code.get("ZipFile")
        direct = archive is not None
        if archive is None and code.get("S3Bucket") and code.get("S3Key"):
            archive = self._read_s3(code["S3Bucket"], code["S3Key"], code.get("S3ObjectVersion"))
        if archive is None:
            raise error("no_code_source")
        # only a direct upload has the 50 MB zipped quota; code from S3 is held to the unzipped one
        return await asyncio.to_thread(self.code.put, archive, operation, direct)

    def _today(self) -> dt.date:
        """The date AWS's runtime deprecation table is read at."""
        return today_utc(self.platform.clock.now())

    def _code_location(self, ctx: RequestContext, config: dict[str, Any]) -> dict[str, Any]:
        if config.get("_hot"):  # no archive to download: where the code is (as local clouds say it)
            return {"RepositoryType": "S3", "Location": f"Code location: {config['_hot']}"}
        return {"RepositoryType": "S3",
                "Location": f"{ctx.endpoint}/_overcast/lambda-code/{config.get('_code', '')}.zip"}

    # -- functions ----------------------------------------------------------------------------

    async def create_function(self, ctx: RequestContext, function_name: str, role: str, code: dict[str, Any],
                              runtime: str | None = None, handler: str | None = None, publish: bool = False,
                              tags: dict[str, str] | None = None, layers: list[str] | None = None,
                              package_type: str | None = None, **params: Any) -> dict[str, Any]:
        # AWS's order: the request's size, then the parameters, then the function's existence
        check_request_size(ctx, "CreateFunction")
        ref = self._ref(ctx, function_name)
        check_function_name(ref.name)
        check_runtime(runtime, self._today(), legacy=self.platform.config.legacy_runtimes)
        check_limits(params.get("timeout"), params.get("memory_size"))
        if (package_type or "Zip") == "Zip":
            if not runtime:
                raise error("runtime_required")
            if not handler:
                raise error("handler_required")
        resolved_layers = self.layers.resolve(layers) if layers else None
        if self.functions.exists(ref):
            raise error("function_exists", name=ref.name)
        self._check_role(role)
        signing = params.get("code_signing_config_arn")  # checked, then attached (api_code_signing.py)
        if signing:
            self.platform.component(SettingsStore).code_signing_config(ref.account, ref.region, signing)
        fields = await self._code_fields(code, "CreateFunction")
        config = base_configuration(ref.name, ref.region, {**params, "role": role, "runtime": runtime,
                                                           "handler": handler, "package_type": package_type})
        config.update({k: v for k, v in fields.items() if v is not None})
        if resolved_layers:
            config["Layers"] = resolved_layers
        config = self.functions.create(ref, config, tags or {})
        if signing:
            self.platform.component(SettingsStore).attach_code_signing(ref, signing)
        if publish:
            version = self.functions.publish(ref, None, None, None, internal=True)
            # AWS answers with $LATEST's configuration under the version's number (unqualified ARN)
            config = {**config, "Version": version["Version"]}
        if runtime in PYTHON_RUNTIMES:
            self._warm_up()
        # AWS answers while the function is still being created (Pending); it turns Active shortly.
        return public(config)

    def _check_role(self, role: str) -> None:
        """Under `--iam enforce`, as on AWS: the execution role must exist and its trust policy let
        `lambda.amazonaws.com` assume it (`iam:PassRole` on it is asked by the gateway's check)."""
        iam = self.platform.iam
        if iam is not None and not iam.service_may_assume("lambda.amazonaws.com", role):
            raise error("role_not_assumable")

    def _warm_up(self) -> None:
        engine = self.platform.engine
        if engine is not None:
            from overcast.invocation.sync import Invoker

            engine.spawn("lambda-warm-up", self.platform.component(Invoker).warm_up())

    def get_function(self, ctx: RequestContext, function_name: str, qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        config = self._configuration(ref)
        result: dict[str, Any] = {"Configuration": _as_addressed(ref, config), "Code": self._code_location(ctx, config)}
        tags = self.functions.tags(ref)
        if tags:
            result["Tags"] = tags
        reserved = self.functions.reserved(ref)
        if reserved is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": reserved}
        return result

    def get_function_configuration(self, ctx: RequestContext, function_name: str,
                                   qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        return _as_addressed(ref, self._configuration(ref))

    def list_functions(self, ctx: RequestContext, function_version: str | None = None, marker: str | None = None,
                       max_items: int | None = None, **_: Any) -> dict[str, Any]:
        configs: list[dict[str, Any]] = []
        for name in self.functions.names(ctx.account, ctx.region):
            ref = FunctionRef(ctx.account, ctx.region, name, None)
            if function_version == "ALL":
                configs.extend(_listed(c, qualified=True) for c in self.functions.versions(ref))
            else:
                configs.append(_listed(self.functions.latest(ref), qualified=False))
        chunk, nxt = page(configs, marker, max_items)
        return {"Functions": chunk, "NextMarker": nxt}

    async def update_function_code(self, ctx: RequestContext, function_name: str, publish: bool = False,
                                   dry_run: bool = False, revision_id: str | None = None,
                                   **code: Any) -> dict[str, Any]:
        check_request_size(ctx, "UpdateFunctionCode")
        ref = self._ref(ctx, function_name)
        current = self.functions.latest(ref)
        check_revision(current, revision_id)
        self.functions.check_idle(ref, current)
        check_runtime(current.get("Runtime"), self._today(), legacy=self.platform.config.legacy_runtimes,
                      updating=True)
        source = {"ZipFile": code.get("zip_file"), "S3Bucket": code.get("s3_bucket"), "S3Key": code.get("s3_key"),
                  "S3ObjectVersion": code.get("s3_object_version"), "ImageUri": code.get("image_uri")}
        fields = await self._code_fields(source, "UpdateFunctionCode")
        if dry_run:
            return public({**current, "CodeSha256": fields["CodeSha256"], "CodeSize": fields["CodeSize"]})

        def change(config: dict[str, Any]) -> None:
            config.update(fields)
            if not config.get("_hot"):
                config.pop("_hot", None)
            if code.get("architectures"):
                config["Architectures"] = code["architectures"]

        config = self.functions.update(ref, change, revision_id)
        if publish:  # AWS answers with the new version's configuration (Pending)
            return public(self.functions.publish(ref, None, None, None, internal=True))
        return public(config)

    def update_function_configuration(self, ctx: RequestContext, function_name: str,
                                      revision_id: str | None = None, **params: Any) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        # parameters first, then the function (AWS's order)
        check_limits(params.get("timeout"), params.get("memory_size"))
        if params.get("runtime"):
            check_runtime(params["runtime"], self._today(), legacy=self.platform.config.legacy_runtimes,
                          updating=True)
        current = self.functions.latest(ref)
        self.functions.check_idle(ref, current)
        # a function on a runtime past AWS's block-update date can only move to another runtime
        check_runtime(params.get("runtime") or current.get("Runtime"), self._today(),
                      legacy=self.platform.config.legacy_runtimes, updating=True)
        layers = self.layers.resolve(params["layers"]) if params.get("layers") is not None else None
        if params.get("role"):
            self._check_role(params["role"])

        def change(config: dict[str, Any]) -> None:
            for key, member in (("role", "Role"), ("handler", "Handler"), ("description", "Description"),
                                ("timeout", "Timeout"), ("memory_size", "MemorySize"), ("runtime", "Runtime"),
                                ("tracing_config", "TracingConfig"), ("ephemeral_storage", "EphemeralStorage")):
                if params.get(key) is not None:
                    config[member] = params[key]
            if params.get("logging_config") is not None:
                config["LoggingConfig"] = logging_config(config["FunctionName"], {**config.get("LoggingConfig", {}),
                                                                                  **params["logging_config"]})
            if layers is not None:
                if layers:
                    config["Layers"] = layers
                else:
                    config.pop("Layers", None)
            if params.get("snap_start") is not None:
                config["SnapStart"] = snap_start(params["snap_start"])
            apply_optional(config, params)

        return public(self.functions.update(ref, change, revision_id))

    def delete_function(self, ctx: RequestContext, function_name: str, qualifier: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        if ref.qualifier:
            self.functions.delete_version(ref, ref.qualifier)
        else:
            self.functions.delete(ref)
        return {"StatusCode": 204}

    # -- versions -----------------------------------------------------------------------------

    def publish_version(self, ctx: RequestContext, function_name: str, code_sha256: str | None = None,
                        description: str | None = None, revision_id: str | None = None, **_: Any) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        return public(self.functions.publish(ref, description, code_sha256, revision_id))

    def list_versions_by_function(self, ctx: RequestContext, function_name: str, marker: str | None = None,
                                  max_items: int | None = None) -> dict[str, Any]:
        versions = [_listed(v, qualified=True) for v in self.functions.versions(self._ref(ctx, function_name))]
        chunk, nxt = page(versions, marker, max_items)
        return {"Versions": chunk, "NextMarker": nxt}

    # -- aliases ------------------------------------------------------------------------------

    def _check_alias_target(self, ref: FunctionRef, version: str, routing: dict[str, Any] | None) -> None:
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if version in weights:  # a parameter check: before the versions are looked up
            raise error("routing_own_version", version=version)
        self.functions.version(ref, version)
        for extra, weight in weights.items():
            self.functions.version(ref, str(extra))
            if not 0.0 <= weight <= 1.0:
                raise error("routing_weight", weight=weight, version=extra)
        if len(weights) > 1:
            raise error("routing_versions")

    def create_alias(self, ctx: RequestContext, function_name: str, name: str, function_version: str,
                     description: str | None = None, routing_config: dict[str, Any] | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self._check_alias_target(ref, function_version, routing_config)
        config: dict[str, Any] = {
            "AliasArn": alias_arn(ref.region, ref.account, ref.name, name), "Name": name,
            "FunctionVersion": function_version, "Description": description or "",
            "RevisionId": str(uuid.uuid4()),
        }
        if routing_config and routing_config.get("AdditionalVersionWeights"):
            config["RoutingConfig"] = routing_config
        return self.functions.put_alias(ref, config, create=True)

    def get_alias(self, ctx: RequestContext, function_name: str, name: str) -> dict[str, Any]:
        return self.functions.alias(self._ref(ctx, function_name), name)

    def update_alias(self, ctx: RequestContext, function_name: str, name: str, function_version: str | None = None,
                     description: str | None = None, routing_config: dict[str, Any] | None = None,
                     revision_id: str | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        try:
            config = self.functions.alias(ref, name)
        except ResourceNotFound:  # UpdateAlias words it differently from GetAlias
            self.functions.latest(ref)
            raise error("alias_not_found", arn=f"{ref.arn}:{name}") from None
        check_revision(config, revision_id)
        previous = config["FunctionVersion"]
        if function_version is not None:
            config["FunctionVersion"] = function_version
        if description is not None:
            config["Description"] = description
        if routing_config is not None:
            if routing_config.get("AdditionalVersionWeights"):
                config["RoutingConfig"] = routing_config
            else:
                config.pop("RoutingConfig", None)
        self._check_alias_target(ref, config["FunctionVersion"], config.get("RoutingConfig"))
        moved = config["FunctionVersion"] != previous
        config["RevisionId"] = str(uuid.uuid4())
        answer = self.functions.put_alias(ref, config, create=False)
        if moved:  # provisioned environments follow the alias to its new version
            follow_alias(self.platform, FunctionRef(ref.account, ref.region, ref.name, name))
        return answer

    def delete_alias(self, ctx: RequestContext, function_name: str, name: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.delete_alias(ref, name)
        drop_alias(self.platform, FunctionRef(ref.account, ref.region, ref.name, name))
        return {}

    def list_aliases(self, ctx: RequestContext, function_name: str, function_version: str | None = None,
                     marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        aliases = self.functions.aliases(self._ref(ctx, function_name))
        if function_version:
            aliases = [a for a in aliases if a["FunctionVersion"] == function_version]
        chunk, nxt = page(aliases, marker, max_items)
        return {"Aliases": chunk, "NextMarker": nxt}


def _as_addressed(ref: FunctionRef, config: dict[str, Any]) -> dict[str, Any]:
    """GetFunction/GetFunctionConfiguration answer with the ARN as addressed: `:$LATEST` when the
    qualifier was given, the alias's name through an alias."""
    view = public(config)
    if ref.qualifier:
        view["FunctionArn"] = ref.qualified_arn()
    return view


#: what ListFunctions and ListVersionsByFunction leave out of each configuration
_UNLISTED = ("State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
             "LastUpdateStatusReasonCode", "RuntimeVersionConfig")


def _listed(config: dict[str, Any], *, qualified: bool) -> dict[str, Any]:
    """A configuration as the list operations show it: no state fields, and `$LATEST`'s ARN
    qualified where versions are listed."""
    view = {k: v for k, v in public(config).items() if k not in _UNLISTED}
    if qualified and view.get("Version") == LATEST:
        view["FunctionArn"] = f"{view['FunctionArn']}:{LATEST}"
    return view
