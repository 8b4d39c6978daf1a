"""GetParameterHistory, LabelParameterVersion, UnlabelParameterVersion
([labels](https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html):
at most 10 per version, a label on one version at a time, moved when put on another; a label can't
begin with a number, `aws` or `ssm`, and uses letters, digits, `.`, `-` and `_`, up to 100)."""

from __future__ import annotations

import re
from typing import Any

from overcast.context import RequestContext
from overcast.services.ssm import events, names, policies
from overcast.services.ssm.api_base import ApiBase, page
from overcast.services.ssm.errors import ParameterVersionLabelLimitExceeded, ParameterVersionNotFound

MAX_LABELS = 10
_LABEL = re.compile(r"^[a-zA-Z0-9_.\-]{1,100}$")


def _valid_label(label: str) -> bool:
    return bool(_LABEL.match(label)) and not label.lower().startswith(("aws", "ssm")) and not label[0].isdigit()


class VersionOperations(ApiBase):
    def get_parameter_history(self, ctx: RequestContext, name: str, with_decryption: bool = False,
                              max_results: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        self._require(ctx, name)
        versions = self.store.versions(ctx.account, ctx.region, names.key(name))
        chunk, token = page(versions, next_token, max_results or 50)
        out: dict[str, Any] = {"Parameters": [self._history(ctx, v, with_decryption) for v in chunk]}
        if token:
            out["NextToken"] = token
        return out

    def _history(self, ctx: RequestContext, doc: dict[str, Any], decrypt: bool) -> dict[str, Any]:
        view = {k: doc[k] for k in ("Name", "Type", "KeyId", "LastModifiedDate", "LastModifiedUser", "Description",
                                    "AllowedPattern", "Version", "Tier", "DataType") if doc.get(k) is not None}
        view["Value"] = self._value(ctx, doc, decrypt)
        view["Labels"] = list(doc.get("Labels") or [])
        view["Policies"] = policies.describe(doc)
        return view

    def label_parameter_version(self, ctx: RequestContext, name: str, labels: list[str],
                                parameter_version: int | None = None) -> dict[str, Any]:
        current = self._require(ctx, name)
        key = names.key(name)
        number = parameter_version or int(current["Version"])
        versions = self.store.versions(ctx.account, ctx.region, key)
        target = next((v for v in versions if v["Version"] == number), None)
        if target is None:
            raise ParameterVersionNotFound(name, number)
        invalid = [label for label in labels if not _valid_label(label)]
        valid = [label for label in dict.fromkeys(labels) if _valid_label(label)]
        added = [label for label in valid if label not in target["Labels"]]
        if len(target["Labels"]) + len(added) > MAX_LABELS:
            raise ParameterVersionLabelLimitExceeded("A parameter version can have maximum 10 labels.Move one or "
                                                     "more labels to another version and try again.")
        with self.platform.db.tx():
            for version in versions:
                if version is not target and any(label in version["Labels"] for label in valid):
                    version["Labels"] = [label for label in version["Labels"] if label not in valid]
                    self.store.save_version(ctx.account, ctx.region, key, version)
            target["Labels"] = target["Labels"] + added
            self.store.save_version(ctx.account, ctx.region, key, target)
            if added:
                events.changed(self.platform, ctx.account, ctx.region, "LabelParameterVersion", current)
        return {"InvalidLabels": invalid, "ParameterVersion": number}

    def unlabel_parameter_version(self, ctx: RequestContext, name: str, parameter_version: int,
                                  labels: list[str]) -> dict[str, Any]:
        self._require(ctx, name)
        key = names.key(name)
        target = self.store.version(ctx.account, ctx.region, key, parameter_version)
        if target is None:
            raise ParameterVersionNotFound(name, parameter_version)
        removed = [label for label in dict.fromkeys(labels) if label in target["Labels"]]
        invalid = [label for label in dict.fromkeys(labels) if label not in target["Labels"]]
        if removed:
            target["Labels"] = [label for label in target["Labels"] if label not in removed]
            self.store.save_version(ctx.account, ctx.region, key, target)
        return {"RemovedLabels": removed, "InvalidLabels": invalid}
