"""What `overcast deploy` was pointed at, as stacks to deploy: one template file (plain or SAM), a
folder holding `template.yaml` (SAM's convention), or a CDK cloud assembly (`cdk.out`)."""

from __future__ import annotations

from pathlib import Path

from overcast.deploy.cdk import assembly_stacks
from overcast.deploy.stack import DeployError, StackSource

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


def load(path: Path, stack_name: str | None) -> list[StackSource]:
    """The stacks to deploy, in order."""
    if not path.exists():
        raise DeployError(f"{path} does not exist")
    if path.is_dir():
        if (path / "manifest.json").exists():
            stacks = assembly_stacks(path)
            if stack_name:
                stacks = [s for s in stacks if s.name == stack_name] or _unknown(stack_name, stacks)
            return stacks
        if (path / "cdk.json").exists() and (path / "cdk.out" / "manifest.json").exists():
            return load(path / "cdk.out", stack_name)  # a CDK app folder, already synthesized
        for candidate in TEMPLATE_NAMES:
            if (path / candidate).exists():
                return load(path / candidate, stack_name or path.resolve().name)
        hint = " (a CDK app: run `cdk synth` first)" if (path / "cdk.json").exists() else ""
        raise DeployError(f"{path} holds neither a CDK cloud assembly (manifest.json) nor a template "
                          f"({', '.join(TEMPLATE_NAMES)}){hint}")
    from overcast.services.cloudformation.errors import CfnValidationError
    from overcast.services.cloudformation.template import parse

    try:
        template = parse(path.read_text())
    except CfnValidationError as error:
        raise DeployError(f"{path}: {error.message}") from None
    name = stack_name or _name_from(path)
    return [StackSource(name=name, template=template, directory=path.resolve().parent)]


def _name_from(path: Path) -> str:
    stem = path.stem if path.stem not in ("template", "cfn", "stack") else path.resolve().parent.name
    clean = "".join(c if c.isalnum() or c == "-" else "-" for c in stem).strip("-")
    if not clean or not clean[0].isalpha():
        raise DeployError("give the stack a name with --stack-name")
    return clean


def _unknown(name: str, stacks: list[StackSource]) -> list[StackSource]:
    raise DeployError(f"the cloud assembly has no stack {name} (it has: {', '.join(s.name for s in stacks)})")
