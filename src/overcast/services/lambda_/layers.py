"""Lambda layers: published versions of zip content, mounted on a function's path as `/opt` is on
AWS (for Python: `python/` and `python/lib/python3.X/site-packages/`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.code import HOT_RELOAD_SHA, CodeStore, StoredCode
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.models import lambda_timestamp

_LAYER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
                        r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<version>\d+))?$")


_COUNTER = "layer-version-counter"


def layer_arn(region: str, account: str, name: str, version: int | None = None) -> str:
    base = f"arn:aws:lambda:{region}:{account}:layer:{name}"
    return f"{base}:{version}" if version is not None else base


def parse_layer_name(value: str, account: str, region: str) -> tuple[str, str, str]:
    match = _LAYER_ARN.match(value)
    if match:
        return match.group("account"), match.group("region"), match.group("name")
    return account, region, value


class LayerStore:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.code = CodeStore(platform.files_dir)

    def publish(self, account: str, region: str, name: str, stored: StoredCode | None, params: dict[str, Any],
                hot: str | None = None) -> dict[str, Any]:
        """A new version of layer `name`: `stored` content, or the files of folder `hot` (hot reload)."""
        with self.db.tx():
            last = self.db.scalar("SELECT MAX(version) FROM lambda_layers WHERE account=? AND region=? AND name=?",
                                  (account, region, name)) or 0
            version = max(int(last), self._counter(account, region, name)) + 1
            self._set_counter(account, region, name, version)
            config = {
                "LayerArn": layer_arn(region, account, name),
                "LayerVersionArn": layer_arn(region, account, name, version),
                "Description": params.get("description") or "",
                "CreatedDate": lambda_timestamp(self.platform.clock.now()),
                "Version": version,
                "Content": {"CodeSha256": stored.sha256_b64, "CodeSize": stored.size} if stored else
                           {"CodeSha256": HOT_RELOAD_SHA, "CodeSize": 0},
                "_code": stored.sha_hex if stored else "",
            }
            if hot:
                config["_hot"] = hot
            for key, member in (("compatible_runtimes", "CompatibleRuntimes"), ("license_info", "LicenseInfo"),
                                ("compatible_architectures", "CompatibleArchitectures")):
                if params.get(key):
                    config[member] = params[key]
            self.db.execute("INSERT INTO lambda_layers(account, region, name, version, config) VALUES (?, ?, ?, ?, ?)",
                            (account, region, name, version, json.dumps(config)))
        return config

    # AWS keeps counting a layer's versions after every version is deleted: the last number is kept
    # in lambda_settings under a key no function name can take (a colon).
    def _counter(self, account: str, region: str, name: str) -> int:
        raw = self.db.scalar("SELECT config FROM lambda_settings WHERE account=? AND region=? AND name=? AND kind=? "
                             "AND qualifier=''", (account, region, f"layer:{name}", _COUNTER))
        return int(json.loads(raw)) if raw else 0

    def _set_counter(self, account: str, region: str, name: str, version: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO lambda_settings(account, region, name, kind, qualifier, config) "
                        "VALUES (?, ?, ?, ?, '', ?)", (account, region, f"layer:{name}", _COUNTER, json.dumps(version)))

    def get(self, account: str, region: str, name: str, version: int) -> dict[str, Any]:
        row = self.db.query_one("SELECT config FROM lambda_layers WHERE account=? AND region=? AND name=? AND version=?",
                                (account, region, name, version))
        if row is None:
            raise error("layer_not_found")
        return json.loads(row["config"])

    def versions(self, account: str, region: str, name: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT config FROM lambda_layers WHERE account=? AND region=? AND name=? "
                             "ORDER BY version DESC", (account, region, name))
        return [json.loads(r["config"]) for r in rows]

    def names(self, account: str, region: str) -> list[str]:
        rows = self.db.query("SELECT DISTINCT name FROM lambda_layers WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        return [r["name"] for r in rows]

    def delete(self, account: str, region: str, name: str, version: int) -> None:
        self.db.execute("DELETE FROM lambda_layers WHERE account=? AND region=? AND name=? AND version=?",
                        (account, region, name, version))

    def policy(self, account: str, region: str, name: str, version: int) -> dict[str, Any] | None:
        self.get(account, region, name, version)
        raw = self.db.scalar("SELECT policy FROM lambda_layers WHERE account=? AND region=? AND name=? AND version=?",
                             (account, region, name, version))
        return json.loads(raw) if raw else None

    def set_policy(self, account: str, region: str, name: str, version: int, policy: dict[str, Any] | None) -> None:
        self.db.execute("UPDATE lambda_layers SET policy=? WHERE account=? AND region=? AND name=? AND version=?",
                        (json.dumps(policy) if policy else None, account, region, name, version))

    def resolve(self, arns: list[str]) -> list[dict[str, Any]]:
        """The function-configuration entries for layer version ARNs (each must exist)."""
        if len(arns) > 5:
            raise error("too_many_layers")
        resolved = []
        seen: dict[str, str] = {}
        for arn in arns:
            match = _LAYER_ARN.match(arn)
            if match is None or match.group("version") is None:
                raise error("layer_version_missing", arn=arn)
            base = arn.rsplit(":", 1)[0]
            if base in seen and seen[base] != arn:
                raise error("same_layer_twice", first=seen[base], second=arn)
            seen[base] = arn
            try:
                layer = self.get(match.group("account"), match.group("region"), match.group("name"),
                                 int(match.group("version")))
            except ResourceNotFound:
                raise error("layer_version_missing", arn=arn) from None
            entry = {"Arn": arn, "CodeSize": layer["Content"]["CodeSize"], "_code": layer["_code"]}
            if layer.get("_hot"):
                entry["_hot"] = layer["_hot"]
            resolved.append(entry)
        return resolved

    def folders(self, layers: list[dict[str, Any]]) -> list[Path]:
        out = []
        for layer in layers:
            if layer.get("_hot"):
                out.append(Path(layer["_hot"]))
                continue
            stored = self.code.get(layer.get("_code", ""))
            if stored is not None:
                out.append(stored.folder)
        return out
