"""SSM Parameter Store operations: PutParameter, GetParameter(s), GetParametersByPath,
DescribeParameters, DeleteParameter(s)."""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ClientError
from overcast.platform import Platform

_TYPES = ("String", "StringList", "SecureString")


class ParameterNotFound(ClientError):
    code = "ParameterNotFound"


class ParameterAlreadyExists(ClientError):
    code = "ParameterAlreadyExists"


def _check_name(name: str) -> None:
    if "/" in name and not name.startswith("/"):
        raise ClientError("Parameter name must be a fully qualified name.", code="ValidationException")


class SsmApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def _get(self, ctx: RequestContext, name: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?",
                                (ctx.account, ctx.region, name))
        return json.loads(row["doc"]) if row else None

    def _arn(self, ctx: RequestContext, name: str) -> str:
        return f"arn:aws:ssm:{ctx.region}:{ctx.account}:parameter/{name.lstrip('/')}"

    def put_parameter(self, ctx: RequestContext, name: str, value: str, type: str | None = None,
                      overwrite: bool = False, description: str | None = None,
                      allowed_pattern: str | None = None, tier: str | None = None, data_type: str | None = None,
                      tags: list[dict[str, str]] | None = None, **_: Any) -> dict[str, Any]:
        _check_name(name)
        existing = self._get(ctx, name)
        if existing is not None and not overwrite:
            raise ParameterAlreadyExists("The parameter already exists. To overwrite this value, set the overwrite "
                                         "option in the request to true.")
        kind = type or (existing or {}).get("Type")
        if kind not in _TYPES:
            raise ClientError("A parameter type is required when you create a parameter.", code="ValidationException")
        version = (existing or {}).get("Version", 0) + 1
        doc = {"Name": name, "Type": kind, "Value": value, "Version": version, "DataType": data_type or "text",
               "LastModifiedDate": self.platform.clock.now(), "ARN": self._arn(ctx, name),
               "Tier": tier or "Standard", "Description": description if description is not None
               else (existing or {}).get("Description", ""), "LastModifiedUser": ctx.caller_arn}
        if allowed_pattern:
            doc["AllowedPattern"] = allowed_pattern
        self.db.execute("INSERT OR REPLACE INTO ssm_parameters(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (ctx.account, ctx.region, name, json.dumps(doc)))
        return {"Version": version, "Tier": doc["Tier"]}

    @staticmethod
    def _view(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: doc[k] for k in ("Name", "Type", "Value", "Version", "LastModifiedDate", "ARN", "DataType")}

    def get_parameter(self, ctx: RequestContext, name: str, with_decryption: bool = False) -> dict[str, Any]:
        doc = self._get(ctx, name.split(":", 1)[0] if not name.startswith("arn:") else name.split(":parameter", 1)[1])
        if doc is None:
            raise ParameterNotFound(f"Parameter {name} not found.")
        return {"Parameter": self._view(doc)}

    def get_parameters(self, ctx: RequestContext, names: list[str], with_decryption: bool = False) -> dict[str, Any]:
        found, invalid = [], []
        for name in names:
            doc = self._get(ctx, name)
            (found.append(self._view(doc)) if doc else invalid.append(name))  # type: ignore[func-returns-value]
        return {"Parameters": found, "InvalidParameters": invalid}

    def _all(self, ctx: RequestContext) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM ssm_parameters WHERE account = ? AND region = ? ORDER BY name",
                             (ctx.account, ctx.region))
        return [json.loads(r["doc"]) for r in rows]

    def get_parameters_by_path(self, ctx: RequestContext, path: str, recursive: bool = False,
                               **_: Any) -> dict[str, Any]:
        prefix = path.rstrip("/") + "/"
        docs = [d for d in self._all(ctx) if d["Name"].startswith(prefix)
                and (recursive or "/" not in d["Name"][len(prefix):])]
        return {"Parameters": [self._view(d) for d in docs]}

    def describe_parameters(self, ctx: RequestContext, **_: Any) -> dict[str, Any]:
        return {"Parameters": [{k: v for k, v in d.items() if k != "Value"} for d in self._all(ctx)]}

    def delete_parameter(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        if self._get(ctx, name) is None:
            raise ParameterNotFound(f"Parameter {name} not found.")
        self.db.execute("DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?",
                        (ctx.account, ctx.region, name))
        return {}

    def delete_parameters(self, ctx: RequestContext, names: list[str]) -> dict[str, Any]:
        deleted, invalid = [], []
        for name in names:
            if self._get(ctx, name) is None:
                invalid.append(name)
            else:
                self.delete_parameter(ctx, name)
                deleted.append(name)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}
