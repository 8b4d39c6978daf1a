"""Helpers for tests that deploy functions: zip source code (Python, JavaScript or a custom
runtime's bootstrap), create a function."""

from __future__ import annotations

import io
import textwrap
import uuid
import zipfile
from typing import Any

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def zip_files(files: dict[str, str | bytes], executables: tuple[str, ...] = ()) -> bytes:
    """A zip archive holding `files` (path → content); paths in `executables` get mode 0755."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if path in executables else 0o100644) << 16
            archive.writestr(info, textwrap.dedent(content) if isinstance(content, str) else content)
    return buffer.getvalue()


def zip_handler(source: str, module: str = "handler", runtime: str = "python3.12") -> bytes:
    """A zip archive with one module holding `source` (dedented): `<module>.py` for Python;
    for Node.js `<module>.js` when the source is CommonJS (uses `exports`/`require`), else
    `<module>.mjs` (an ES module)."""
    return zip_files({module_file(source, module, runtime): source})


def module_file(source: str, module: str, runtime: str) -> str:
    if runtime.startswith("nodejs"):
        commonjs = "exports." in source or ("require(" in source and "import " not in source)
        return f"{module}.js" if commonjs else f"{module}.mjs"
    return f"{module}.py"


def create_function(client: Any, source: str, *, name: str | None = None, handler: str = "handler.handler",
                    runtime: str = "python3.12", **kwargs: Any) -> str:
    """Create a function from Python or JavaScript source (by `runtime`); returns its name."""
    name = name or f"fn-{uuid.uuid4().hex[:12]}"
    client.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                           Code={"ZipFile": zip_handler(source, runtime=runtime)}, **kwargs)
    wait_settled(client, name)
    return name


def wait_settled(client: Any, name: str, qualifier: str | None = None, timeout: float = 30.0) -> dict[str, Any]:
    """Wait until a function (or version) is Active with its last update Successful, as a careful
    AWS user does (`function_active_v2`/`function_updated_v2`) before the next change: Lambda takes
    one change at a time. Returns the settled configuration."""
    from overcast.testing.waiting import wait_until

    extra = {"Qualifier": qualifier} if qualifier else {}

    def settled() -> dict[str, Any] | None:
        config: dict[str, Any] = client.get_function_configuration(FunctionName=name, **extra)
        done = config.get("State") == "Active" and config.get("LastUpdateStatus") in (None, "Successful")
        return config if done else None

    return wait_until(settled, timeout, f"{name} Active and Successful")
