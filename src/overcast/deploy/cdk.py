"""Reading a CDK cloud assembly (`cdk.out`): its stacks in dependency order, their templates, tags,
and the file assets (Lambda code) each stack's template expects in the CDK assets bucket.

`cdk synth` with the DefaultStackSynthesizer points Lambda code at
`cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/<hash>.zip`; overcast creates that bucket
and puts the zipped asset folders there, so no bootstrap stack is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from overcast.deploy.stack import DeployError, FileAsset, StackSource


def assembly_stacks(root: Path) -> list[StackSource]:
    manifest = _read(root / "manifest.json")
    artifacts: dict[str, Any] = manifest.get("artifacts") or {}
    stacks: dict[str, StackSource] = {}
    deps: dict[str, list[str]] = {}
    for artifact_id, artifact in artifacts.items():
        kind = artifact.get("type")
        if kind == "cdk:cloud-assembly":
            nested = root / artifact["properties"]["directoryName"]
            for stack in assembly_stacks(nested):
                stacks[stack.name] = stack
                deps[stack.name] = []
        elif kind == "aws:cloudformation:stack":
            stack = _stack(root, artifact_id, artifact, artifacts)
            stacks[artifact_id] = stack
            deps[artifact_id] = [d for d in artifact.get("dependencies") or [] if artifacts.get(d, {}).get("type")
                                 == "aws:cloudformation:stack"]
    if not stacks:
        raise DeployError(f"the cloud assembly in {root} has no stacks")
    return [stacks[name] for name in _ordered(deps)]


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError) as exc:
        raise DeployError(f"cannot read {path}: {exc}") from None


def _stack(root: Path, artifact_id: str, artifact: dict[str, Any], artifacts: dict[str, Any]) -> StackSource:
    props = artifact.get("properties") or {}
    template = _read(root / props["templateFile"])
    assets: list[FileAsset] = []
    for dep in artifact.get("dependencies") or []:
        if artifacts.get(dep, {}).get("type") == "cdk:asset-manifest":
            assets.extend(_assets(root, root / artifacts[dep]["properties"]["file"]))
    return StackSource(name=props.get("stackName") or artifact_id, template=template, directory=root,
                       parameters=dict(props.get("parameters") or {}), tags=dict(props.get("tags") or {}),
                       assets=assets, packaged=True)


def _assets(root: Path, manifest_path: Path) -> list[FileAsset]:
    manifest = _read(manifest_path)
    if manifest.get("dockerImages"):
        raise DeployError("container image assets are not supported: overcast runs functions packaged as .zip")
    out = []
    for asset in (manifest.get("files") or {}).values():
        source = asset.get("source") or {}
        if "path" not in source:
            raise DeployError("file assets built by a command (executable) are not supported")
        for destination in (asset.get("destinations") or {}).values():
            out.append(FileAsset(source=root / source["path"], packaging=source.get("packaging", "file"),
                                 bucket=destination["bucketName"], key=destination["objectKey"]))
    return out


def _ordered(deps: dict[str, list[str]]) -> list[str]:
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise DeployError(f"stacks depend on each other in a cycle through {name}")
        visiting.add(name)
        for dep in deps.get(name, []):
            if dep in deps:
                visit(dep)
        visiting.discard(name)
        done.append(name)

    for name in deps:
        visit(name)
    return done
