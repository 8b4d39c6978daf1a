"""A secret's versions and values: GetSecretValue, BatchGetSecretValue, PutSecretValue,
UpdateSecretVersionStage, ListSecretVersionIds, and GetRandomPassword.

https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.secretsmanager import listing, password
from overcast.services.secretsmanager.api_base import ApiBase
from overcast.services.secretsmanager.errors import (
    REUSED_TOKEN,
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
    ResourceNotFoundException,
)
from overcast.services.secretsmanager.models import CURRENT


class ValueOperations(ApiBase):
    def get_secret_value(self, ctx: RequestContext, secret_id: str, version_id: str | None = None,
                         version_stage: str | None = None) -> dict[str, Any]:
        doc = self._live(ctx, secret_id, replica_ok=True)
        return self._secret_value(ctx, doc, version_id, version_stage)

    def _secret_value(self, ctx: RequestContext, doc: dict[str, Any], version_id: str | None,
                      version_stage: str | None) -> dict[str, Any]:
        if version_id is not None:
            version = self.store.version(doc, version_id)
            what = f"VersionId: {version_id}"
            if version is not None and version_stage is not None and version_stage not in version["VersionStages"]:
                raise InvalidRequestException("You provided a VersionStage that is not associated to the provided "
                                              "VersionId.")
        else:
            stage = version_stage or CURRENT
            version, what = self.store.staged(doc, stage), f"staging label: {stage}"
        value = self._value(ctx, doc, version) if version is not None else None
        if version is None or value is None:
            raise ResourceNotFoundException(f"Secrets Manager can't find the specified secret value for {what}")
        self._touch(doc, version["VersionId"])
        return {"ARN": doc["ARN"], "Name": doc["Name"], "VersionId": version["VersionId"], **value,
                "VersionStages": version["VersionStages"], "CreatedDate": version["CreatedDate"]}

    def batch_get_secret_value(self, ctx: RequestContext, secret_id_list: list[str] | None = None,
                               filters: list[dict[str, Any]] | None = None, max_results: int | None = None,
                               next_token: str | None = None) -> dict[str, Any]:
        if secret_id_list and filters:
            raise InvalidParameterException("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
        if max_results is not None and not filters:
            raise InvalidParameterException("'Filters' not specified. 'Filters' must also be specified when "
                                            "'MaxResults' is provided.")
        values, errors = [], []
        if filters:
            docs = [d for d in self.store.all(ctx.account, ctx.region) if d.get("DeletedDate") is None]
            docs = listing.sort(listing.matching(docs, filters), None, None)
            page, token = listing.page(docs, next_token, max_results)
            ids = [d["ARN"] for d in page]
        else:
            ids, token = list(secret_id_list or []), None
        for secret_id in ids:
            try:
                values.append(self.get_secret_value(ctx, secret_id))
            except ServiceError as error:
                errors.append({"SecretId": secret_id, "ErrorCode": error.code, "Message": error.message})
        result: dict[str, Any] = {"SecretValues": values, "Errors": errors}
        if token:
            result["NextToken"] = token
        return result

    def put_secret_value(self, ctx: RequestContext, secret_id: str, client_request_token: str | None = None,
                         secret_binary: bytes | None = None, secret_string: str | None = None,
                         version_stages: list[str] | None = None, **_: Any) -> dict[str, Any]:
        self._one_value(secret_string, secret_binary)
        if secret_string is None and secret_binary is None:
            raise InvalidRequestException("You must provide either SecretString or SecretBinary.")
        doc = self._live(ctx, secret_id)
        version_id = self._token(client_request_token)
        existing = self.store.version(doc, version_id)
        if existing is not None and existing.get("_value") is not None:
            if not self._same_value(ctx, doc, existing, secret_string, secret_binary):
                raise ResourceExistsException(REUSED_TOKEN.format(token=version_id, arn=doc["ARN"]))
            return {"ARN": doc["ARN"], "Name": doc["Name"], "VersionId": version_id,
                    "VersionStages": existing["VersionStages"]}
        stages = list(version_stages) if version_stages is not None else [CURRENT]
        if not self.store.versions(doc) and CURRENT not in stages:
            stages.append(CURRENT)  # a secret's first version is its current one
        self._changed(doc)
        with self.platform.db.tx():
            self.store.put(doc)
            self._store_value(ctx, doc, version_id, secret_string, secret_binary, stages)
        version = self.store.version(doc, version_id) or {}
        return {"ARN": doc["ARN"], "Name": doc["Name"], "VersionId": version_id,
                "VersionStages": version.get("VersionStages", stages)}

    def update_secret_version_stage(self, ctx: RequestContext, secret_id: str, version_stage: str,
                                    remove_from_version_id: str | None = None,
                                    move_to_version_id: str | None = None) -> dict[str, Any]:
        doc = self._live(ctx, secret_id)
        versions = {v["VersionId"]: v["VersionStages"] for v in self.store.versions(doc)}
        for wanted in (remove_from_version_id, move_to_version_id):
            if wanted is not None and wanted not in versions:
                raise InvalidParameterException(f"Not a valid version: {wanted}")
        holder = next((v for v, stages in versions.items() if version_stage in stages), None)
        if remove_from_version_id is not None and version_stage not in versions[remove_from_version_id]:
            raise InvalidParameterException(f"Version stage {version_stage} not found in version "
                                            f"{remove_from_version_id}")
        if (move_to_version_id is not None and holder is not None and holder != move_to_version_id
                and remove_from_version_id != holder):
            raise InvalidParameterException(
                f"The parameter RemoveFromVersionId can't be empty. Staging label {version_stage} is currently "
                f"attached to version {holder}, so you must explicitly reference that version in RemoveFromVersionId.")
        with self.platform.db.tx():
            if move_to_version_id is not None:
                self.store.attach(doc, version_stage, move_to_version_id)
            elif remove_from_version_id is not None:
                self.store.detach(doc, version_stage, remove_from_version_id)
            self._changed(doc)
            self.store.put(doc)
        return {"ARN": doc["ARN"], "Name": doc["Name"]}

    def list_secret_version_ids(self, ctx: RequestContext, secret_id: str, max_results: int | None = None,
                                next_token: str | None = None, include_deprecated: bool = False) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        versions = [v for v in reversed(self.store.versions(doc)) if include_deprecated or v["VersionStages"]]
        page, token = listing.page(versions, next_token, max_results)
        entries = []
        for version in page:
            entry = {k: v for k, v in version.items() if not k.startswith("_")}
            entry["KmsKeyIds"] = [doc.get("KmsKeyId") or "DefaultEncryptionKey"]
            entries.append(entry)
        result: dict[str, Any] = {"Versions": entries, "ARN": doc["ARN"], "Name": doc["Name"]}
        if token:
            result["NextToken"] = token
        return result

    def get_random_password(self, ctx: RequestContext, password_length: int | None = None,
                            exclude_characters: str | None = None, exclude_numbers: bool = False,
                            exclude_punctuation: bool = False, exclude_uppercase: bool = False,
                            exclude_lowercase: bool = False, include_space: bool = False,
                            require_each_included_type: bool | None = None) -> dict[str, Any]:
        return {"RandomPassword": password.generate(
            password_length, exclude_characters, exclude_numbers, exclude_punctuation, exclude_uppercase,
            exclude_lowercase, include_space, require_each_included_type)}
