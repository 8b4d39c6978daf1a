"""`overcast deploy --hot-reload`: a template's local code folders become hot-reload references
(the magic bucket `hot-reload`, docs/hot-reload.md) instead of uploaded archives, so functions and
layers run from the folders themselves and pick up every edit at their next invocation.

- SAM and CloudFormation templates: `CodeUri`/`ContentUri` (SAM) and `Code`/`Content` (Lambda)
  naming a local folder. A `.zip` stays an upload.
- CDK cloud assemblies: `cdk synth` copies each code folder into `cdk.out/asset.<hash>`, and the
  asset manifest names only that copy. The copy is mapped back to the folder of the CDK app it was
  made from, found by content (the same files with the same bytes); an asset no folder matches (code
  bundled by esbuild or pip, say) is uploaded as usual, and the deployment says so.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from overcast.deploy.stack import FileAsset

BUCKET = "hot-reload"
#: (resource type, property) holding a function's or a layer's code
CODE_PROPERTIES = frozenset({("AWS::Serverless::Function", "CodeUri"), ("AWS::Serverless::LayerVersion", "ContentUri"),
                             ("AWS::Lambda::Function", "Code"), ("AWS::Lambda::LayerVersion", "Content")})
#: folders that are never code (and never searched for an asset's source)
_SKIPPED = frozenset({".git", "__pycache__", "node_modules", ".venv", "venv", ".aws-sam", ".overcast", ".mypy_cache",
                      ".pytest_cache", ".ruff_cache"})
_MAX_DEPTH = 6


def reference(folder: Path, form: str) -> dict[str, str]:
    """A hot-reload code location in the form the property takes (SAM's `uri`: Bucket/Key)."""
    if form == "uri":
        return {"Bucket": BUCKET, "Key": str(folder)}
    return {"S3Bucket": BUCKET, "S3Key": str(folder)}


def _files(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                path = Path(root) / name
                found[path.relative_to(folder).as_posix()] = path
    return found


def _digest(files: dict[str, Path]) -> str:
    h = hashlib.sha256()
    for relative in sorted(files):
        h.update(relative.encode() + b"\0" + files[relative].read_bytes() + b"\0")
    return h.hexdigest()


def source_of(asset: Path, app: Path) -> Path | None:
    """The folder under `app` (a CDK app's folder) holding exactly `asset`'s files, or None."""
    wanted = _files(asset)
    if not wanted:
        return None
    top = {name.split("/", 1)[0] for name in wanted}
    digest: str | None = None
    assembly = asset.parent.resolve()
    for root, dirs, _ in os.walk(app):
        here = Path(root)
        depth = len(here.relative_to(app).parts)
        dirs[:] = [] if depth >= _MAX_DEPTH else sorted(
            d for d in dirs if d not in _SKIPPED and not d.startswith("cdk.out") and (here / d).resolve() != assembly)
        entries = {e for e in os.listdir(here) if e not in _SKIPPED and not e.endswith((".pyc", ".pyo"))}
        if entries != top:
            continue
        files = _files(here)
        if set(files) != set(wanted):
            continue
        digest = digest or _digest(wanted)
        if _digest(files) == digest:
            return here.resolve()
    return None


def cdk_hot_assets(assets: list[FileAsset], app: Path) -> tuple[dict[str, Path], list[FileAsset]]:
    """(object key → source folder) of the code assets that map back to a folder of the app, and
    the assets still to upload."""
    hot: dict[str, Path] = {}
    rest: list[FileAsset] = []
    for asset in assets:
        source = source_of(asset.source, app) if asset.packaging == "zip" and asset.source.is_dir() else None
        if source is None:
            rest.append(asset)
        else:
            hot[asset.key] = source
    return hot, rest


def rewrite_cdk(template: dict[str, Any], hot: dict[str, Path]) -> list[str]:
    """Point functions and layers whose code is one of `hot`'s assets at its source folder;
    returns the logical ids changed."""
    changed = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        props = resource.get("Properties") or {}
        for kind, prop in CODE_PROPERTIES:
            code = props.get(prop)
            if resource.get("Type") != kind or not isinstance(code, dict):
                continue
            key = code.get("S3Key")
            if isinstance(key, str) and key in hot:
                props[prop] = reference(hot[key], "code")
                changed.append(logical_id)
    return changed
