"""Code signing configs: Create/Get/Update/Delete/ListCodeSigningConfigs, Put/Get/Delete a
function's config and ListFunctionsByCodeSigningConfig
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html).

They are stored and validated as AWS does. Signatures are not checked: verifying a signed package
needs AWS Signer's signing profiles and keys, which do not exist locally, so an `Enforce` policy
accepts unsigned code (docs/aws-behaviour.md#code-signing)."""

from __future__ import annotations

import secrets
from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.errors import InvalidParameterValue, ResourceConflict
from overcast.services.lambda_.models import lambda_timestamp
from overcast.services.lambda_.settings import SettingsStore

POLICIES = ("Warn", "Enforce")


def _check_publishers(publishers: dict[str, Any] | None) -> list[str]:
    arns = list((publishers or {}).get("SigningProfileVersionArns") or [])
    if not 1 <= len(arns) <= 20:
        raise InvalidParameterValue(f"1 validation error detected: Value '{arns}' at "
                                    "'allowedPublishers.signingProfileVersionArns' failed to satisfy constraint: "
                                    "Member must have length less than or equal to 20, Member must have length "
                                    "greater than or equal to 1")
    return arns


def _policies(policies: dict[str, Any] | None) -> dict[str, str]:
    value = (policies or {}).get("UntrustedArtifactOnDeployment") or "Warn"
    if value not in POLICIES:
        raise InvalidParameterValue(f"1 validation error detected: Value '{value}' at "
                                    "'codeSigningPolicies.untrustedArtifactOnDeployment' failed to satisfy constraint: "
                                    "Member must satisfy enum value set: [Warn, Enforce]")
    return {"UntrustedArtifactOnDeployment": value}


class CodeSigningOperations(ApiBase):
    @property
    def settings(self) -> SettingsStore:
        return self.platform.component(SettingsStore)

    def _csc(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        return self.settings.code_signing_config(ctx.account, ctx.region, arn)

    def create_code_signing_config(self, ctx: RequestContext, allowed_publishers: dict[str, Any],
                                   description: str | None = None, code_signing_policies: dict[str, Any] | None = None,
                                   tags: dict[str, str] | None = None) -> dict[str, Any]:
        arns = _check_publishers(allowed_publishers)
        csc_id = "csc-" + secrets.token_hex(9)[:17]
        doc = {"CodeSigningConfigId": csc_id,
               "CodeSigningConfigArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:code-signing-config:{csc_id}",
               "Description": description or "", "AllowedPublishers": {"SigningProfileVersionArns": arns},
               "CodeSigningPolicies": _policies(code_signing_policies),
               "LastModified": lambda_timestamp(self.platform.clock.now())}
        with self.platform.db.tx():
            self.settings.put(ctx.account, ctx.region, "csc", csc_id, doc)
        return {"CodeSigningConfig": doc}

    def get_code_signing_config(self, ctx: RequestContext, code_signing_config_arn: str) -> dict[str, Any]:
        return {"CodeSigningConfig": self._csc(ctx, code_signing_config_arn)}

    def update_code_signing_config(self, ctx: RequestContext, code_signing_config_arn: str,
                                   description: str | None = None, allowed_publishers: dict[str, Any] | None = None,
                                   code_signing_policies: dict[str, Any] | None = None) -> dict[str, Any]:
        doc = self._csc(ctx, code_signing_config_arn)
        if description is not None:
            doc["Description"] = description
        if allowed_publishers is not None:
            doc["AllowedPublishers"] = {"SigningProfileVersionArns": _check_publishers(allowed_publishers)}
        if code_signing_policies is not None:
            doc["CodeSigningPolicies"] = _policies(code_signing_policies)
        doc["LastModified"] = lambda_timestamp(self.platform.clock.now())
        with self.platform.db.tx():
            self.settings.put(ctx.account, ctx.region, "csc", doc["CodeSigningConfigId"], doc)
        return {"CodeSigningConfig": doc}

    def delete_code_signing_config(self, ctx: RequestContext, code_signing_config_arn: str) -> dict[str, Any]:
        doc = self._csc(ctx, code_signing_config_arn)
        if self._functions_using(ctx, doc["CodeSigningConfigArn"]):
            raise ResourceConflict("The code signing configuration cannot be deleted because it is used by one or "
                                   "more functions.")
        with self.platform.db.tx():
            self.settings.delete(ctx.account, ctx.region, "csc", doc["CodeSigningConfigId"])
        return {}

    def list_code_signing_configs(self, ctx: RequestContext, marker: str | None = None,
                                  max_items: int | None = None) -> dict[str, Any]:
        items, next_marker = page(self.settings.list(ctx.account, ctx.region, "csc"), marker, max_items)
        return {"CodeSigningConfigs": items, **({"NextMarker": next_marker} if next_marker else {})}

    def _functions_using(self, ctx: RequestContext, arn: str) -> list[str]:
        rows = self.settings.list(ctx.account, ctx.region, "function-csc", parent=None)
        return [row["FunctionArn"] for row in rows if row["CodeSigningConfigArn"] == arn]

    def list_functions_by_code_signing_config(self, ctx: RequestContext, code_signing_config_arn: str,
                                              marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        doc = self._csc(ctx, code_signing_config_arn)
        items, next_marker = page(self._functions_using(ctx, doc["CodeSigningConfigArn"]), marker, max_items)
        return {"FunctionArns": items, **({"NextMarker": next_marker} if next_marker else {})}

    # -- a function's config ------------------------------------------------------------------

    def put_function_code_signing_config(self, ctx: RequestContext, code_signing_config_arn: str,
                                         function_name: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        doc = self._csc(ctx, code_signing_config_arn)
        self.settings.attach_code_signing(ref, doc["CodeSigningConfigArn"])
        return {"CodeSigningConfigArn": doc["CodeSigningConfigArn"], "FunctionName": ref.name}

    def get_function_code_signing_config(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        doc = self.settings.of_function(ref, "function-csc") or {}
        return {"CodeSigningConfigArn": doc.get("CodeSigningConfigArn", ""), "FunctionName": ref.name}

    def delete_function_code_signing_config(self, ctx: RequestContext, function_name: str) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        self.settings.delete_function(ref, "function-csc")
        return {}
