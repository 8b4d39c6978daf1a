"""AWS::Lambda::* resources: Function, Version, Alias, Permission, EventSourceMapping,
EventInvokeConfig, Url, LayerVersion (and LayerVersionPermission)."""

from __future__ import annotations

import io
import zipfile
from importlib import resources as package_files
from typing import Any

from overcast.services.cloudformation.helpers import CFN_RESPONSE_JS
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_map

_CONFIG = ("Role", "Handler", "Runtime", "Timeout", "MemorySize", "Description", "Environment",
           "DeadLetterConfig", "TracingConfig", "VpcConfig", "KmsKeyArn", "Layers", "EphemeralStorage",
           "FileSystemConfigs", "LoggingConfig", "ImageConfig", "SnapStart", "DurableConfig")
#: what UpdateFunctionConfiguration sends back to AWS's defaults when a property leaves the template
_CONFIG_RESET = {"Timeout": 3, "MemorySize": 128, "Description": "", "Environment": {"Variables": {}},
                 "Layers": [], "DeadLetterConfig": {}, "TracingConfig": {"Mode": "PassThrough"}}


def inline_archive(source: str, runtime: str | None) -> bytes:
    """`Code.ZipFile`: AWS writes the text to `index.py` / `index.js` and, for Python and Node.js,
    adds the `cfnresponse` / `cfn-response` helper module for custom resources."""
    buffer = io.BytesIO()
    node = (runtime or "").startswith("nodejs")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.js" if node else "index.py", source)
        if node:
            archive.writestr("cfn-response.js", CFN_RESPONSE_JS)
        else:
            helper = package_files.files("overcast.services.cloudformation.helpers") / "cfnresponse.py"
            archive.writestr("cfnresponse.py", helper.read_text())
    return buffer.getvalue()


def _code(props: dict[str, Any]) -> dict[str, Any]:
    code = dict(props.get("Code") or {})
    if code.get("ZipFile") is not None:
        return {"ZipFile": inline_archive(str(code["ZipFile"]), props.get("Runtime"))}
    return pick(code, "S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri")


def _function_outcome(d: Deployment, name: str) -> Outcome:
    arn = d.arn("lambda", f"function:{name}")
    return Outcome(name, {"Arn": arn, "SnapStartResponse": {"ApplyOn": "None", "OptimizationStatus": "Off"},
                          "SnapStartResponse.ApplyOn": "None", "SnapStartResponse.OptimizationStatus": "Off"})


async def _settled(d: Deployment, function: str, qualifier: str | None = None) -> None:
    """Wait as AWS's CloudFormation does: a function is done once it is Active and its last update
    Successful (Lambda takes one change at a time; https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html)."""
    params = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
    for _ in range(600):
        config = await d.call("lambda", "GetFunctionConfiguration", params)
        if config.get("State") == "Active" and config.get("LastUpdateStatus") in (None, "Successful"):
            return
        await d.platform.clock.sleep(0.25)


class FunctionProvider(Provider):
    """Ref is the function name; GetAtt Arn."""

    physical_is_name = True
    types = ("AWS::Lambda::Function",)
    replace = frozenset({"FunctionName", "PackageType"})
    name_property = "FunctionName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("FunctionName", 64)
        params = {**pick(props, *_CONFIG, "PackageType", "Architectures", "CodeSigningConfigArn",
                         "RuntimeManagementConfig"),
                  "FunctionName": name, "Code": _code(props), "Tags": tags_map(props.get("Tags")) or None}
        await d.call("lambda", "CreateFunction", params)
        await _settled(d, name)
        await self._concurrency(d, name, props.get("ReservedConcurrentExecutions"), None)
        return _function_outcome(d, name)

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        new, old = d.properties, d.old_properties
        if new.get("Code") != old.get("Code") or new.get("Architectures") != old.get("Architectures"):
            await d.call("lambda", "UpdateFunctionCode", {"FunctionName": name, **_code(new),
                                                          "Architectures": new.get("Architectures")})
            await _settled(d, name)
        changed = {k: new[k] for k in _CONFIG if k in new and new.get(k) != old.get(k)}
        changed.update({k: v for k, v in _CONFIG_RESET.items() if k in old and k not in new})
        if changed:
            await d.call("lambda", "UpdateFunctionConfiguration", {"FunctionName": name, **changed})
            await _settled(d, name)
        await self._concurrency(d, name, new.get("ReservedConcurrentExecutions"), old.get("ReservedConcurrentExecutions"))
        await self._retag(d, name, tags_map(old.get("Tags")), tags_map(new.get("Tags")))
        return _function_outcome(d, name)

    async def _concurrency(self, d: Deployment, name: str, new: Any, old: Any) -> None:
        if new == old:
            return
        if new is None:
            await d.call("lambda", "DeleteFunctionConcurrency", {"FunctionName": name})
        else:
            await d.call("lambda", "PutFunctionConcurrency", {"FunctionName": name,
                                                              "ReservedConcurrentExecutions": new})

    async def _retag(self, d: Deployment, name: str, old: dict[str, str], new: dict[str, str]) -> None:
        if old == new:
            return
        arn = d.arn("lambda", f"function:{name}")
        gone = [k for k in old if k not in new]
        if gone:
            await d.call("lambda", "UntagResource", {"Resource": arn, "TagKeys": gone})
        if new:
            await d.call("lambda", "TagResource", {"Resource": arn, "Tags": new})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("lambda", "DeleteFunction", {"FunctionName": d.physical_id})


class VersionProvider(Provider):
    """Ref is the version ARN; GetAtt Version. Versions are immutable: any change publishes anew,
    and the old version is deleted in cleanup."""

    types = ("AWS::Lambda::Version",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("lambda", "PublishVersion", pick(props, "FunctionName", "CodeSha256", "Description"))
        arn = result["FunctionArn"]
        await _settled(d, props["FunctionName"], result["Version"])
        return Outcome(arn, {"Version": result["Version"], "FunctionArn": arn.rsplit(":", 1)[0]})

    async def delete(self, d: Deployment) -> None:
        # AWS keeps published versions unless the template says UpdateReplacePolicy/DeletionPolicy
        # Delete; it does delete them with the stack. overcast deletes them with the stack too.
        if d.physical_id and d.physical_id.count(":") >= 7:
            function, version = d.physical_id.rsplit(":", 1)
            await d.call_quietly("lambda", "DeleteFunction", {"FunctionName": function, "Qualifier": version})


class AliasProvider(Provider):
    """Ref is the alias ARN."""

    types = ("AWS::Lambda::Alias",)
    replace = frozenset({"Name", "FunctionName"})

    async def create(self, d: Deployment) -> Outcome:
        result = await d.call("lambda", "CreateAlias", pick(d.properties, "FunctionName", "Name", "FunctionVersion",
                                                            "Description", "RoutingConfig"))
        return Outcome(result["AliasArn"], {"AliasArn": result["AliasArn"]})

    async def update(self, d: Deployment) -> Outcome:
        params = pick(d.properties, "FunctionName", "Name", "FunctionVersion", "Description", "RoutingConfig")
        params.setdefault("RoutingConfig", {})
        params.setdefault("Description", "")
        result = await d.call("lambda", "UpdateAlias", params)
        return Outcome(result["AliasArn"], {"AliasArn": result["AliasArn"]})

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly("lambda", "DeleteAlias", pick(d.properties, "FunctionName", "Name"))


class PermissionProvider(Provider):
    """A statement of the function's resource policy; Ref is the statement id."""

    types = ("AWS::Lambda::Permission",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        statement_id = d.generated_name(100)
        params = pick(d.properties, "FunctionName", "Action", "Principal", "SourceArn", "SourceAccount",
                      "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType")
        await d.call("lambda", "AddPermission", {**params, "StatementId": statement_id})
        return Outcome(statement_id, {}, ref=statement_id)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("lambda", "RemovePermission", {"FunctionName": d.properties.get("FunctionName"),
                                                                "StatementId": d.physical_id})


_ESM_UPDATABLE = ("FunctionName", "Enabled", "BatchSize", "FilterCriteria", "MaximumBatchingWindowInSeconds",
                  "DestinationConfig", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
                  "MaximumRetryAttempts", "ParallelizationFactor", "TumblingWindowInSeconds",
                  "FunctionResponseTypes", "ScalingConfig")


class EventSourceMappingProvider(Provider):
    """Ref is the mapping's UUID; GetAtt Id, EventSourceMappingArn."""

    types = ("AWS::Lambda::EventSourceMapping",)
    replace = frozenset({"EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "Queues",
                         "SelfManagedEventSource", "Topics"})

    async def create(self, d: Deployment) -> Outcome:
        params = pick(d.properties, "EventSourceArn", "StartingPosition", "StartingPositionTimestamp",
                      *_ESM_UPDATABLE)
        if d.properties.get("Tags"):
            params["Tags"] = tags_map(d.properties["Tags"])
        result = await d.call("lambda", "CreateEventSourceMapping", params)
        return self._outcome(result)

    @staticmethod
    def _outcome(result: dict[str, Any]) -> Outcome:
        return Outcome(result["UUID"], {"Id": result["UUID"],
                                        "EventSourceMappingArn": result.get("EventSourceMappingArn", "")})

    async def update(self, d: Deployment) -> Outcome:
        params = pick(d.properties, *_ESM_UPDATABLE)
        params.setdefault("Enabled", True)
        if "FilterCriteria" in d.old_properties and "FilterCriteria" not in d.properties:
            params["FilterCriteria"] = {"Filters": []}
        result = await d.call("lambda", "UpdateEventSourceMapping", {"UUID": d.physical_id, **params})
        return self._outcome(result)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("lambda", "DeleteEventSourceMapping", {"UUID": d.physical_id})


class EventInvokeConfigProvider(Provider):
    """Ref is `function|qualifier`, as AWS makes it up."""

    types = ("AWS::Lambda::EventInvokeConfig",)
    replace = frozenset({"FunctionName", "Qualifier"})

    async def create(self, d: Deployment) -> Outcome:
        params = pick(d.properties, "FunctionName", "Qualifier", "MaximumRetryAttempts", "MaximumEventAgeInSeconds",
                      "DestinationConfig")
        await d.call("lambda", "PutFunctionEventInvokeConfig", params)
        return Outcome(f"{d.properties.get('FunctionName')}|{d.properties.get('Qualifier', '$LATEST')}")

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly("lambda", "DeleteFunctionEventInvokeConfig", pick(d.properties, "FunctionName", "Qualifier"))


class UrlProvider(Provider):
    """Ref is the function's ARN; GetAtt FunctionArn, FunctionUrl."""

    types = ("AWS::Lambda::Url",)
    replace = frozenset({"TargetFunctionArn", "Qualifier"})

    def _params(self, d: Deployment) -> dict[str, Any]:
        props = d.properties
        return {"FunctionName": props.get("TargetFunctionArn"), **pick(props, "Qualifier", "AuthType", "Cors",
                                                                         "InvokeMode")}

    async def create(self, d: Deployment) -> Outcome:
        result = await d.call("lambda", "CreateFunctionUrlConfig", self._params(d))
        return self._outcome(result)

    @staticmethod
    def _outcome(result: dict[str, Any]) -> Outcome:
        arn = result["FunctionArn"]
        return Outcome(arn, {"FunctionArn": arn, "FunctionUrl": result["FunctionUrl"]})

    async def update(self, d: Deployment) -> Outcome:
        params = self._params(d)
        params.setdefault("Cors", {})
        return self._outcome(await d.call("lambda", "UpdateFunctionUrlConfig", params))

    async def delete(self, d: Deployment) -> None:
        params = self._params(d)
        await d.call_quietly("lambda", "DeleteFunctionUrlConfig", pick(params, "FunctionName", "Qualifier"))


class LayerVersionProvider(Provider):
    """Ref is the layer version ARN. Immutable: a change publishes a new version."""

    types = ("AWS::Lambda::LayerVersion",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        content = pick(props.get("Content") or {}, "S3Bucket", "S3Key", "S3ObjectVersion")
        name = props.get("LayerName") or d.generated_name(64)
        result = await d.call("lambda", "PublishLayerVersion", {
            "LayerName": name, "Content": content,
            **pick(props, "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")})
        return Outcome(result["LayerVersionArn"], {"LayerVersionArn": result["LayerVersionArn"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id and d.physical_id.count(":") >= 7:
            layer, version = d.physical_id.rsplit(":", 1)
            await d.call_quietly("lambda", "DeleteLayerVersion", {"LayerName": layer.rsplit(":", 1)[-1],
                                                                  "VersionNumber": int(version)})


class LayerVersionPermissionProvider(Provider):
    types = ("AWS::Lambda::LayerVersionPermission",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        arn = str(d.properties.get("LayerVersionArn", ""))
        layer, version = arn.rsplit(":", 1)
        statement = d.generated_name(100)
        await d.call("lambda", "AddLayerVersionPermission", {
            "LayerName": layer, "VersionNumber": int(version), "StatementId": statement,
            "Action": d.properties.get("Action"), "Principal": d.properties.get("Principal"),
            **pick(d.properties, "OrganizationId")})
        return Outcome(f"{arn}#{statement}")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id and "#" in d.physical_id:
            arn, statement = d.physical_id.split("#", 1)
            layer, version = arn.rsplit(":", 1)
            await d.call_quietly("lambda", "RemoveLayerVersionPermission", {
                "LayerName": layer, "VersionNumber": int(version), "StatementId": statement})


PROVIDERS = [FunctionProvider(), VersionProvider(), AliasProvider(), PermissionProvider(),
             EventSourceMappingProvider(), EventInvokeConfigProvider(), UrlProvider(), LayerVersionProvider(),
             LayerVersionPermissionProvider()]
