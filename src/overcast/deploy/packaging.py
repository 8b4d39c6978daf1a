"""Putting local code where a template can point at it, as `aws cloudformation package` / `sam
deploy` do: folders are zipped (reproducibly, so unchanged code keeps its key and the function is
not updated), uploaded to overcast's S3, and the template's local paths become S3 locations."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any, TypeGuard

from overcast.deploy import hot
from overcast.deploy.stack import DeployError, FileAsset, StackSource

#: (resource type, property, form of the S3 location the property takes)
LOCAL_PATHS = (
    ("AWS::Serverless::Function", "CodeUri", "uri"),
    ("AWS::Serverless::LayerVersion", "ContentUri", "uri"),
    ("AWS::Serverless::Api", "DefinitionUri", "uri"),
    ("AWS::Serverless::HttpApi", "DefinitionUri", "uri"),
    ("AWS::Serverless::StateMachine", "DefinitionUri", "uri"),
    ("AWS::Lambda::Function", "Code", "code"),
    ("AWS::Lambda::LayerVersion", "Content", "code"),
    ("AWS::ApiGateway::RestApi", "BodyS3Location", "location"),
    ("AWS::ApiGatewayV2::Api", "BodyS3Location", "location"),
)
#: folders never packaged (version control, build caches, overcast's own data)
_SKIPPED = frozenset({".git", ".aws-sam", "__pycache__", ".overcast", "cdk.out"})
#: properties that take a single file, not a folder
FILE_PROPERTIES = frozenset({"DefinitionUri", "BodyS3Location"})


def zip_folder(folder: Path) -> bytes:
    """A zip of `folder`'s files, the same bytes for the same content (fixed timestamps, sorted)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if set(relative.split("/")) & _SKIPPED:
                continue
            info = zipfile.ZipInfo(relative, date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def artifact(path: Path, single_file: bool) -> tuple[bytes, str]:
    """(bytes to upload, file extension) for a local path."""
    if path.is_dir():
        if single_file:
            raise DeployError(f"{path} is a folder; a file is expected here")
        return zip_folder(path), ".zip"
    if single_file or path.suffix in (".zip", ".jar"):
        return path.read_bytes(), path.suffix
    raise DeployError(f"{path} is a file; point the code property at a folder or a .zip")


class Uploader:
    """Puts artifacts into S3 buckets on the overcast being deployed to (creating them)."""

    def __init__(self, s3: Any, account: str, region: str) -> None:
        self.s3 = s3
        self.account = account
        self.region = region
        self.bucket = f"overcast-deploy-{account}-{region}"
        self._ready: set[str] = set()

    def _ensure(self, bucket: str) -> None:
        if bucket in self._ready:
            return
        try:
            self.s3.head_bucket(Bucket=bucket)
        except Exception:
            params: dict[str, Any] = {"Bucket": bucket}
            if self.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            self.s3.create_bucket(**params)
        self._ready.add(bucket)

    def put(self, data: bytes, key: str | None = None, bucket: str | None = None, suffix: str = "") -> tuple[str, str]:
        bucket = bucket or self.bucket
        key = key or hashlib.sha256(data).hexdigest()[:32] + suffix
        self._ensure(bucket)
        self.s3.put_object(Bucket=bucket, Key=key, Body=data)
        return bucket, key

    def substitute(self, text: str) -> str:
        """CDK's placeholders in asset destinations."""
        return (text.replace("${AWS::AccountId}", self.account).replace("${AWS::Region}", self.region)
                .replace("${AWS::Partition}", "aws"))


def upload_assets(uploader: Uploader, assets: list[FileAsset]) -> int:
    """Upload a CDK stack's file assets to where its template expects them; how many there were."""
    for asset in assets:
        if not asset.source.exists():
            raise DeployError(f"asset {asset.source} is missing from the cloud assembly")
        data = zip_folder(asset.source) if asset.packaging == "zip" and asset.source.is_dir() \
            else asset.source.read_bytes()
        uploader.put(data, uploader.substitute(asset.key), uploader.substitute(asset.bucket))
    return len(assets)


def package(stack: StackSource, uploader: Uploader, hot_reload: bool = False) -> dict[str, Any]:
    """The stack's template with local paths replaced by S3 locations of uploaded artifacts (with
    `hot_reload`, code folders by hot-reload references: deploy/hot.py)."""
    template = stack.template
    resources = template.get("Resources") or {}
    globals_function = ((template.get("Globals") or {}).get("Function") or {})
    if _is_local(globals_function.get("CodeUri"), stack.directory, "Globals.Function.CodeUri"):
        folder = (stack.directory / globals_function["CodeUri"]).resolve()
        globals_function["CodeUri"] = hot.reference(folder, "uri") if hot_reload and folder.is_dir() else \
            _upload(uploader, stack.directory, globals_function["CodeUri"], "uri", False)
    for logical, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        props = resource.setdefault("Properties", {}) if resource.get("Type") == "AWS::Serverless::Function" \
            else resource.get("Properties") or {}
        for kind, prop, form in LOCAL_PATHS:
            if resource.get("Type") != kind:
                continue
            value = props.get(prop)
            if kind == "AWS::Serverless::Function" and value is None and "InlineCode" not in props \
                    and "ImageUri" not in props and not globals_function.get("CodeUri"):
                value = "."  # SAM CLI's default: the template's folder
            if not _is_local(value, stack.directory, f"Resources.{logical}.Properties.{prop}"):
                continue
            folder = (stack.directory / value).resolve()
            if hot_reload and (kind, prop) in hot.CODE_PROPERTIES and folder.is_dir():
                props[prop] = hot.reference(folder, form)
            else:
                props[prop] = _upload(uploader, stack.directory, value, form, prop in FILE_PROPERTIES)
    return template


def _is_local(value: Any, base: Path, where: str) -> TypeGuard[str]:
    """Whether a property names a local file or folder; a local path that does not exist is an error
    naming it (left alone, it would reach the SAM translator as a malformed S3 URI)."""
    if not isinstance(value, str) or not value or value.startswith("s3://") or "://" in value:
        return False
    if not (base / value).exists():
        raise DeployError(f"{where} is {value!r}, but {(base / value).resolve()} does not exist")
    return True


def _upload(uploader: Uploader, base: Path, value: str, form: str, single_file: bool) -> Any:
    data, suffix = artifact((base / value).resolve(), single_file)
    bucket, key = uploader.put(data, suffix=suffix)
    if form == "uri":
        return f"s3://{bucket}/{key}"
    if form == "code":
        return {"S3Bucket": bucket, "S3Key": key}
    return {"Bucket": bucket, "Key": key}
