"""What a deployment is made of: the stacks `overcast deploy` found, with their file assets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DeployError(Exception):
    """Something the user must fix; the message says what."""


@dataclass
class FileAsset:
    """A CDK file asset: a folder to zip (or a file to upload as is) and where it goes."""

    source: Path
    packaging: str
    bucket: str
    key: str


@dataclass
class StackSource:
    name: str
    template: dict[str, Any]
    directory: Path
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    assets: list[FileAsset] = field(default_factory=list)
    #: True for CDK stacks: their code is already where the template points, once assets are up
    packaged: bool = False
