"""Helpers for tests that deploy Python functions: zip source code, create a function."""

from __future__ import annotations

import io
import textwrap
import uuid
import zipfile
from typing import Any

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_files(files: dict[str, str | bytes]) -> bytes:
    """A zip archive holding `files` (path → content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, textwrap.dedent(content) if isinstance(content, str) else content)
    return buffer.getvalue()


def zip_handler(source: str, module: str = "handler") -> bytes:
    """A zip archive with one module, `<module>.py`, holding `source` (dedented)."""
    return zip_files({f"{module}.py": source})


def create_function(client: Any, source: str, *, name: str | None = None, handler: str = "handler.handler",
                    runtime: str = "python3.12", **kwargs: Any) -> str:
    """Create a function from Python source; returns its name."""
    name = name or f"fn-{uuid.uuid4().hex[:12]}"
    client.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                           Code={"ZipFile": zip_handler(source)}, **kwargs)
    return name
