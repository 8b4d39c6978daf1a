"""PutParameter, GetParameter(s), DeleteParameter(s)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.services.ssm import events, names, references, secure, writes
from overcast.services.ssm import policies as rules
from overcast.services.ssm.api_base import ApiBase
from overcast.services.ssm.api_tags import MAX_TAGS
from overcast.services.ssm.errors import (
    ParameterAlreadyExists,
    ParameterMaxVersionLimitExceeded,
    ParameterNotFound,
    ParameterVersionNotFound,
    TooManyTagsError,
    ValidationException,
)
from overcast.services.ssm.models import MAX_VERSIONS


class ParameterOperations(ApiBase):
    def put_parameter(self, ctx: RequestContext, name: str, value: str | None = None, type: str | None = None,
                      overwrite: bool = False, description: str | None = None, key_id: str | None = None,
                      allowed_pattern: str | None = None, tier: str | None = None, data_type: str | None = None,
                      policies: str | None = None, tags: list[dict[str, str]] | None = None,
                      **_: Any) -> dict[str, Any]:
        value = writes.check_value(value)
        if overwrite and tags:
            raise ValidationException(
                "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
                "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
                "RemoveTagsFromResource.")
        names.check_new(name)
        key = names.key(name)
        previous = self.store.current(ctx.account, ctx.region, key)
        if previous is not None and not overwrite:
            raise ParameterAlreadyExists()
        prior = previous or {}
        kind = type or prior.get("Type")
        if kind is None:
            raise ValidationException("A parameter type is required when you create a parameter.")
        parsed = policies_of(policies, prior)
        stored_tier = writes.tier(tier, previous, value, bool(parsed))
        if previous is None or previous.get("Tier") != stored_tier:
            writes.check_count(stored_tier, self.store.count(ctx.account, ctx.region, stored_tier))
        pattern = allowed_pattern if allowed_pattern is not None else prior.get("AllowedPattern")
        writes.check_pattern(pattern, value)
        data = data_type or prior.get("DataType") or "text"
        valid = writes.check_data_type(data, kind, value)
        doc = {"Name": prior.get("Name", name), "Type": kind, "Version": prior.get("Version", 0) + 1,
               "ARN": names.arn(ctx.region, ctx.account, name), "DataType": data, "Tier": stored_tier,
               "LastModifiedDate": self.platform.clock.now(), "LastModifiedUser": ctx.caller_arn,
               "Description": description if description is not None else prior.get("Description"),
               "AllowedPattern": pattern, "Policies": parsed, "Labels": [], "Tags": prior.get("Tags") or {}}
        doc["KeyId"] = key_id or prior.get("KeyId") or (secure.DEFAULT_KEY if kind == "SecureString" else None)
        doc["Value"] = (secure.encrypt(self.platform, ctx.account, ctx.region, doc["KeyId"], doc["ARN"], value)
                        if kind == "SecureString" else value)
        doc = {k: v for k, v in doc.items() if v is not None}
        if not valid:  # AWS answers, then its asynchronous AMI check fails and the write is dropped
            failed = {**doc, "Name": name, "DataType": data}
            events.changed(self.platform, ctx.account, ctx.region, "Update" if previous else "Create", failed,
                           failure="Invalid Format")
            return {"Version": doc["Version"], "Tier": stored_tier}
        if tags:
            doc["Tags"] = {t["Key"]: t["Value"] for t in tags}
            if len(doc["Tags"]) > MAX_TAGS:
                raise TooManyTagsError(f"The Tags parameter contains more than the maximum number of tags allowed "
                                       f"({MAX_TAGS}).")
        state = rules.schedule(parsed, self.platform.clock) if parsed else {}
        doc["PolicyState"] = state
        with self.platform.db.tx():
            self.store.put(ctx.account, ctx.region, key, doc, rules.next_due(state), self._oldest(ctx, key, name))
            events.changed(self.platform, ctx.account, ctx.region, "Update" if previous else "Create", doc)
        if state:
            self.platform.signals.notify(events.SIGNAL)
        return {"Version": doc["Version"], "Tier": stored_tier}

    def _oldest(self, ctx: RequestContext, key: str, name: str) -> int | None:
        """The version to drop for a new one: the oldest, once AWS's 100 are kept (never one with a label)."""
        versions = self.store.versions(ctx.account, ctx.region, key)
        if len(versions) < MAX_VERSIONS:
            return None
        oldest = versions[0]
        if oldest.get("Labels"):
            raise ParameterMaxVersionLimitExceeded(
                f"You attempted to create a new version of {name} by calling the PutParameter API with the "
                f"overwrite flag. Version {oldest['Version']}, the oldest version, can't be deleted because it has a "
                "label associated with it. Move the label to another version of the parameter, and try again.")
        return int(oldest["Version"])

    def get_parameter(self, ctx: RequestContext, name: str, with_decryption: bool = False) -> dict[str, Any]:
        if references.is_reference(name):
            return {"Parameter": references.read(self.platform, ctx, name, with_decryption)}
        doc, selector = self._find(ctx, name)
        return {"Parameter": self._parameter(ctx, doc, with_decryption, selector)}

    def get_parameters(self, ctx: RequestContext, names: list[str], with_decryption: bool = False) -> dict[str, Any]:
        found, invalid = [], []
        for reference in dict.fromkeys(names):  # each name once, as AWS answers
            if references.is_reference(reference):
                try:
                    found.append(references.read(self.platform, ctx, reference, with_decryption))
                except ClientError as error:
                    if error.code != "ParameterNotFound":
                        raise
                    invalid.append(reference)
                continue
            try:
                doc, selector = self._find(ctx, reference)
            except (ParameterNotFound, ParameterVersionNotFound):
                invalid.append(reference)
                continue
            found.append(self._parameter(ctx, doc, with_decryption, selector))
        return {"Parameters": found, "InvalidParameters": invalid}

    def delete_parameter(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._require(ctx, name)
        with self.platform.db.tx():
            self.store.delete(ctx.account, ctx.region, names.key(name))
            events.changed(self.platform, ctx.account, ctx.region, "Delete", doc)
        return {}

    def delete_parameters(self, ctx: RequestContext, names: list[str]) -> dict[str, Any]:
        deleted, invalid = [], []
        for name in dict.fromkeys(names):
            try:
                self.delete_parameter(ctx, name)
            except ParameterNotFound:
                invalid.append(name)
                continue
            deleted.append(name)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}


def policies_of(text: str | None, prior: dict[str, Any]) -> list[dict[str, Any]]:
    """The policies a new version carries: those given, else the previous version's."""
    if text is None:
        return list(prior.get("Policies") or [])
    return rules.parse(text) if text.strip() not in ("", "[]") else []
