"""Runtime families: which kind of execution environment a function's `Runtime` gets, and what an
exec'd (Node.js or custom runtime) environment runs.

Families are chosen by prefix, so a runtime AWS has retired but overcast lets run (`nodejs14.x`
with legacy runtimes enabled) takes the same path as its current siblings.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

NODE_CLIENT_DIR = Path(__file__).with_name("node")
NODE_CLIENT = NODE_CLIENT_DIR / "index.mjs"
NODE_REDIRECT = NODE_CLIENT_DIR / "redirect.cjs"
MIN_NODE_MAJOR = 18


class RuntimeUnavailable(RuntimeError):
    """The machine lacks what a runtime needs (e.g. no `node`)."""


def family(runtime: str | None) -> str | None:
    """python | node | provided, or None for runtimes overcast cannot run (java, dotnet, ruby)."""
    runtime = runtime or ""
    if runtime.startswith("python"):
        return "python"
    if runtime.startswith("nodejs"):
        return "node"
    if runtime == "provided" or runtime.startswith("provided."):
        return "provided"
    return None


@functools.lru_cache(maxsize=4)
def _probe(candidate: str) -> tuple[str, int]:
    try:
        out = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RuntimeUnavailable(f"Node.js functions run on the machine's `node` (version {MIN_NODE_MAJOR} or "
                                 f"later), and {candidate} could not be run ({reason}): install Node.js or set "
                                 "OVERCAST_NODE to its path.") from None
    match = re.match(r"v(\d+)\.", out.stdout.strip())
    if not match:
        raise RuntimeUnavailable(f"Node.js functions run on the machine's `node`, and `{candidate} --version` "
                                 f"answered {out.stdout.strip()!r}: set OVERCAST_NODE to a Node.js {MIN_NODE_MAJOR}+.")
    return candidate, int(match.group(1))


def node_binary() -> tuple[str, int]:
    """(path, major version) of the machine's Node.js: `OVERCAST_NODE` or `node` on PATH (≥ 18)."""
    candidate = os.environ.get("OVERCAST_NODE") or shutil.which("node")
    if not candidate:
        raise RuntimeUnavailable(f"Node.js functions run on the machine's `node` (version {MIN_NODE_MAJOR} or "
                                 "later), and none was found: install Node.js or set OVERCAST_NODE to its path.")
    path, major = _probe(candidate)
    if major < MIN_NODE_MAJOR:
        raise RuntimeUnavailable(f"Node.js functions need node {MIN_NODE_MAJOR} or later; {path} is version "
                                 f"{major}: install a newer Node.js or set OVERCAST_NODE to one.")
    return path, major


def node_available() -> bool:
    try:
        node_binary()
    except RuntimeUnavailable:
        return False
    return True


def runtime_major(runtime: str, default: int) -> int:
    """20 for nodejs20.x (the folder name of `/opt/nodejs/node20/node_modules`)."""
    match = re.match(r"nodejs(\d+)", runtime)
    return int(match.group(1)) if match else default


def node_path(code_dir: Path, layers: list[Path], major: int, sdk_dir: Path | None) -> str:
    """NODE_PATH as AWS sets it: the layers' version-specific then generic `nodejs/node_modules`
    (a later layer shadows an earlier one, as when they are extracted into /opt), the runtime's
    own modules (the SDK), then the task root."""
    entries = [str(folder / "nodejs" / f"node{major}" / "node_modules") for folder in reversed(layers)]
    entries += [str(folder / "nodejs" / "node_modules") for folder in reversed(layers)]
    if sdk_dir is not None:
        entries.append(str(sdk_dir))
    entries += [str(NODE_CLIENT_DIR), str(code_dir)]
    return ":".join(entries)


def node_argv(node: str, memory_mb: int | None = None) -> tuple[str, ...]:
    """The command of a Node.js environment. With `memory_mb`, V8's heap is sized from the
    function's MemorySize as AWS's Node.js bootstrap sizes it: a tenth for the young generation
    (half of it per semi-space), the rest for the old one (docs/memory-limits.md)."""
    memory: tuple[str, ...] = ()
    if memory_mb:
        young = memory_mb // 10
        memory = (f"--max-semi-space-size={young // 2}", f"--max-old-space-size={memory_mb - young}")
    return (node, *memory, "--require", str(NODE_REDIRECT), str(NODE_CLIENT))


def bootstrap_argv(code_dir: Path, layers: list[Path]) -> tuple[str, ...]:
    """A custom runtime's entry point: `bootstrap` in the function's code, else in a layer (/opt);
    empty when there is none (the environment then fails its init, as on AWS)."""
    candidates = [code_dir / "bootstrap", *[folder / "bootstrap" for folder in reversed(layers)]]
    for candidate in candidates:
        if candidate.is_file():
            return (str(candidate),)
    return ()


def version_name(runtime: str) -> str:
    """The INIT_START line's runtime version: python:3.12.overcast, nodejs:20.overcast, provided:al2023.overcast."""
    match = re.match(r"(python|nodejs|provided)\.?(.*?)(?:\.x)?$", runtime)
    if not match:
        return f"{runtime}.overcast"
    name, version = match.groups()
    return f"{name}:{version}.overcast" if version else f"{name}.overcast"
