"""Durable functions for the tests: handlers written with the real AWS Durable Execution SDK for
Python, deployed with the SDK inside the function's package (as a user deploys it)."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from overcast.testing.lambdas import ROLE, wait_settled, zip_files

sdk = pytest.importorskip("aws_durable_execution_sdk_python")  # the `test` extra installs it
SDK_DIR = Path(sdk.__file__).parent


def sdk_files() -> dict[str, str | bytes]:
    """The SDK package's files, to ship inside a function's zip."""
    files: dict[str, str | bytes] = {}
    for path in SDK_DIR.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"{SDK_DIR.name}/{path.relative_to(SDK_DIR)}"] = path.read_bytes()
    return files


def create_durable(lam: Any, source: str, *, timeout: int = 30, execution_timeout: int | None = 3600,
                   bundle: bool = True, **kwargs: Any) -> str:
    """Create a durable function (DurableConfig) from a handler module's source; returns its name.
    With `bundle` the SDK ships in the function's package (as AWS recommends for production);
    without it the function uses the copy the runtime provides."""
    name = f"durable-{uuid.uuid4().hex[:10]}"
    code = zip_files({"handler.py": textwrap.dedent(source), **(sdk_files() if bundle else {})})
    lam.create_function(FunctionName=name, Runtime="python3.13", Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": code}, Timeout=timeout,
                        **{"DurableConfig": {"ExecutionTimeout": execution_timeout} if execution_timeout else {},
                           **kwargs})
    wait_settled(lam, name)
    return name
