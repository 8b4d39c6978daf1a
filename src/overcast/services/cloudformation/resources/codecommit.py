"""AWS::CodeCommit::Repository, with its `Triggers` and its initial `Code` (a zip archive in S3
committed to `Code.BranchName`, default `main`, as AWS does on creation only)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from overcast.errors import ServiceError
from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import tags_list
from overcast.services.s3.inbox import read_object


def _triggers(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": t.get("Name"), "destinationArn": t.get("DestinationArn"), "customData": t.get("CustomData"),
             "branches": t.get("Branches") or [], "events": t.get("Events") or []}
            for t in props.get("Triggers") or []]


def _files(archive: bytes) -> list[dict[str, Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            return [{"filePath": info.filename, "fileContent": z.read(info),
                     "fileMode": "EXECUTABLE" if (info.external_attr >> 16) & 0o111 else "NORMAL"}
                    for info in z.infolist() if not info.is_dir()]
    except zipfile.BadZipFile:
        raise ResourceFailure("Code.S3 must be a .zip archive") from None


class RepositoryProvider(Provider):
    """Ref is the repository id; GetAtt Arn, CloneUrlHttp, CloneUrlSsh, Name, KmsKeyId."""

    types = ("AWS::CodeCommit::Repository",)
    replace = frozenset({"Code"})
    name_property = "RepositoryName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("RepositoryName", 100)
        meta = (await d.call("codecommit", "CreateRepository", {
            "repositoryName": name, "repositoryDescription": props.get("RepositoryDescription"),
            "kmsKeyId": props.get("KmsKeyId"),
            "tags": {t["Key"]: t["Value"] for t in tags_list(props.get("Tags"))} or None}))["repositoryMetadata"]
        code = props.get("Code")
        if code:
            s3 = code.get("S3") or {}
            try:
                archive = read_object(d.platform, str(s3.get("Bucket")), str(s3.get("Key")), s3.get("ObjectVersion"))
            except ServiceError as failure:
                raise ResourceFailure(f"Code.S3: {failure.message}") from None
            await d.call("codecommit", "CreateCommit", {
                "repositoryName": name, "branchName": code.get("BranchName") or "main",
                "commitMessage": "Initial commit by AWS CloudFormation", "putFiles": _files(archive)})
        if props.get("Triggers"):
            await d.call("codecommit", "PutRepositoryTriggers", {"repositoryName": name, "triggers": _triggers(props)})
        return self._outcome(meta)

    @staticmethod
    def _outcome(meta: dict[str, Any]) -> Outcome:
        return Outcome(meta["repositoryId"], {
            "Arn": meta["Arn"], "CloneUrlHttp": meta["cloneUrlHttp"], "CloneUrlSsh": meta["cloneUrlSsh"],
            "Name": meta["repositoryName"], "KmsKeyId": meta.get("kmsKeyId")})

    async def update(self, d: Deployment) -> Outcome:
        old, new = d.old_properties, d.properties
        name = d.attributes.get("Name") or old.get("RepositoryName")
        if new.get("RepositoryName") and new["RepositoryName"] != name:
            await d.call("codecommit", "UpdateRepositoryName", {"oldName": name, "newName": new["RepositoryName"]})
            name = new["RepositoryName"]
        if new.get("RepositoryDescription") != old.get("RepositoryDescription"):
            await d.call("codecommit", "UpdateRepositoryDescription", {
                "repositoryName": name, "repositoryDescription": new.get("RepositoryDescription")})
        if new.get("Triggers") != old.get("Triggers"):
            await d.call("codecommit", "PutRepositoryTriggers", {"repositoryName": name, "triggers": _triggers(new)})
        return self._outcome((await d.call("codecommit", "GetRepository", {"repositoryName": name}))[
            "repositoryMetadata"])

    async def delete(self, d: Deployment) -> None:
        name = d.attributes.get("Name") or d.properties.get("RepositoryName")
        if name:
            await d.call_quietly("codecommit", "DeleteRepository", {"repositoryName": name})


PROVIDERS = [RepositoryProvider()]
