"""Published versions of a function: frozen copies of $LATEST, each Pending for a moment after
PublishVersion (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html)."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.states import (
    LATEST,
    check_revision,
    content_hash,
    lambda_timestamp,
    new_revision,
    settle,
    start_creating,
)


class VersionStore:
    """FunctionStore's versions (a mixin: the function-level methods are FunctionStore's)."""

    platform: Platform
    db: Any

    def _row(self, ref: FunctionRef) -> Any:
        raise NotImplementedError

    def latest(self, ref: FunctionRef) -> dict[str, Any]:
        raise NotImplementedError

    def check_idle(self, ref: FunctionRef, config: dict[str, Any]) -> None:
        raise NotImplementedError

    def _later(self) -> float:
        raise NotImplementedError

    def _write_latest(self, ref: FunctionRef, config: dict[str, Any]) -> None:
        raise NotImplementedError

    def _changed(self, ref: FunctionRef) -> None:
        raise NotImplementedError

    def publish(self, ref: FunctionRef, description: str | None, code_sha: str | None,
                revision_id: str | None, *, internal: bool = False) -> dict[str, Any]:
        """A new version from $LATEST (Pending for a moment); the last one when nothing changed since.
        PublishVersion during an update is refused; CreateFunction/UpdateFunctionCode with Publish
        (`internal`) publish what they just wrote."""
        with self.db.tx():
            latest = self.latest(ref)
            row = self._row(ref)
            check_revision(latest, revision_id)
            if not internal:
                self.check_idle(ref, latest)
            if code_sha is not None and code_sha != latest.get("CodeSha256"):
                raise error("code_sha_mismatch", given=code_sha, current=latest.get("CodeSha256"))
            last = int(row["last_version"])
            content = content_hash(latest)
            if last:
                previous = self.version(ref, str(last))
                if previous.get("_content") == content:
                    return previous  # nothing changed since the last version was published
            version = last + 1
            config = dict(latest)
            config.update({
                "Version": str(version),
                "FunctionArn": f"{ref.arn}:{version}",
                "RevisionId": new_revision(),
                "LastModified": lambda_timestamp(self.platform.clock.now()),
                "_content": content,
            })
            config.pop("_settles", None)
            config.pop("_previous", None)  # what $LATEST serves during its update is not the version's
            if config.get("SnapStart", {}).get("ApplyOn") == "PublishedVersions":
                config["SnapStart"] = {**config["SnapStart"], "OptimizationStatus": "On"}
            start_creating(config, self._later())
            if description is not None:
                config["Description"] = description
            self.db.execute(
                "INSERT INTO lambda_versions(account, region, name, version, config) VALUES (?, ?, ?, ?, ?)",
                (ref.account, ref.region, ref.name, version, json.dumps(config)),
            )
            self.db.execute("UPDATE lambda_functions SET last_version=? WHERE account=? AND region=? AND name=?",
                            (version, ref.account, ref.region, ref.name))
            if not internal:
                latest["RevisionId"] = new_revision()  # publishing issues $LATEST a new RevisionId too
                self._write_latest(ref, latest)
        self._changed(ref)
        return config

    def _write_version(self, ref: FunctionRef, version: str, config: dict[str, Any]) -> None:
        self.db.execute("UPDATE lambda_versions SET config=? WHERE account=? AND region=? AND name=? AND version=?",
                        (json.dumps(config), ref.account, ref.region, ref.name, int(version)))

    def _settled_version(self, ref: FunctionRef, version: str, raw: str) -> dict[str, Any]:
        config = json.loads(raw)
        if settle(config, self.platform.clock.now()):
            self._write_version(ref, version, config)
        return config

    def version(self, ref: FunctionRef, version: str) -> dict[str, Any]:
        if version == LATEST:
            return self.latest(ref)
        row = None
        if version.isdigit():
            row = self.db.query_one(
                "SELECT config FROM lambda_versions WHERE account=? AND region=? AND name=? AND version=?",
                (ref.account, ref.region, ref.name, int(version)))
        if row is None:
            self._row(ref)
            raise error("function_not_found", arn=f"{ref.arn}:{version}")
        return self._settled_version(ref, version, row["config"])

    def versions(self, ref: FunctionRef) -> list[dict[str, Any]]:
        latest = self.latest(ref)
        rows = self.db.query(
            "SELECT version, config FROM lambda_versions WHERE account=? AND region=? AND name=? ORDER BY version",
            (ref.account, ref.region, ref.name))
        return [latest, *(self._settled_version(ref, str(r["version"]), r["config"]) for r in rows)]

    def delete_version(self, ref: FunctionRef, version: str) -> None:
        if version == LATEST:
            raise error("delete_latest")
        self._row(ref)
        if not version.isdigit() or self.db.query_one(
                "SELECT 1 FROM lambda_versions WHERE account=? AND region=? AND name=? AND version=?",
                (ref.account, ref.region, ref.name, int(version))) is None:
            return  # AWS answers 204 for a version that does not exist
        using = self.db.query(
            "SELECT alias, config FROM lambda_aliases WHERE account=? AND region=? AND name=?",
            (ref.account, ref.region, ref.name))
        for row in using:
            alias = json.loads(row["config"])
            weights = alias.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})
            if alias["FunctionVersion"] == version or version in weights:
                raise error("version_in_use", aliases=row["alias"])
        self.db.execute("DELETE FROM lambda_versions WHERE account=? AND region=? AND name=? AND version=?",
                        (ref.account, ref.region, ref.name, int(version)))
        self._changed(ref)
