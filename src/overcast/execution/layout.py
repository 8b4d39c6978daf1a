"""Where an environment's files appear to it: AWS's paths (`/var/task`, `/opt`, `/var/runtime`)
through a mount namespace when the machine allows one, else the real folders, with the real
folders rewritten to AWS's names in what the function reports (see execution/sandbox.py).

`OVERCAST_SANDBOX=paths` chooses the second mechanism even where the first would work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from overcast.execution import sandbox

log = logging.getLogger("overcast.layout")

#: AWS's variables for each runtime family
#: (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
AWS_PATH = {"python": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "node": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "provided": "/usr/local/bin:/usr/bin/:/bin:/opt/bin"}
AWS_LD_LIBRARY_PATH = {
    "python": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    "node": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    "provided": "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"}


@dataclass(frozen=True)
class Placement:
    """One environment's view: what its variables and paths say, and how it gets there."""

    task: str                                   # LAMBDA_TASK_ROOT and the working directory
    opt: tuple[str, ...]                        # where layers' files are (one merged /opt, or each layer)
    runtime: str                                # LAMBDA_RUNTIME_DIR
    mounts: tuple[tuple[str, str], ...] = ()    # (target, source) bind mounts in its namespace
    path_map: tuple[tuple[str, str], ...] = ()  # (real, shown) rewrites of what it reports

    def paths(self, aws_value: str) -> str:
        """A `:`-separated AWS path list with /var/task, /opt and /var/runtime where they really are."""
        out: list[str] = []
        for entry in aws_value.split(":"):
            if entry == sandbox.OPT or entry.startswith(sandbox.OPT + "/"):
                out += [folder + entry[len(sandbox.OPT):] for folder in self.opt]
            elif entry == sandbox.TASK or entry.startswith(sandbox.TASK + "/"):
                out.append(self.task + entry[len(sandbox.TASK):])
            elif entry == sandbox.RUNTIME or entry.startswith(sandbox.RUNTIME + "/"):
                out.append(self.runtime + entry[len(sandbox.RUNTIME):])
            else:
                out.append(entry)
        return ":".join(out)

    def setup(self) -> dict[str, object] | None:
        """What the environment's process does before its runtime starts (sandbox.prepare)."""
        return {"mounts": dict(self.mounts), "cwd": self.task} if self.mounts else None


class Layout:
    """Decides once per platform which mechanism environments get, and places each one."""

    def __init__(self, files_dir: Path, needed: tuple[str, ...] = ()) -> None:
        self.files_dir = files_dir
        self.reason = self._why_not(needed)
        self.namespace = self.reason is None
        if self.reason:
            log.info("environments see their real folders (%s); paths are rewritten to /var/task and /opt in "
                     "what functions report", self.reason)

    @staticmethod
    def _why_not(needed: tuple[str, ...]) -> str | None:
        if os.environ.get("OVERCAST_SANDBOX", "").lower() in ("paths", "off", "0"):
            return "OVERCAST_SANDBOX=paths"
        for path in (sys.base_prefix, sys.prefix, *needed):
            for target in sandbox.TARGETS:
                if path == target or path.startswith(target + "/"):
                    return f"{path} is under {target}, which environments see as the function's"
        return sandbox.probe()

    def place(self, code_dir: Path, layers: list[Path], runtime_dir: Path | None, tag: str = "") -> Placement:
        """The view of an environment running `code_dir` with `layers` (in the function's order)
        and the runtime's own folder (`/var/runtime`); a new `tag` merges the layers anew (their
        files changed: hot reload)."""
        if self.namespace:
            mounts = [(sandbox.TASK, str(code_dir)), (sandbox.OPT, str(self._merged(layers, tag)))]
            if runtime_dir is not None:
                mounts.append((sandbox.RUNTIME, str(runtime_dir)))
            return Placement(sandbox.TASK, (sandbox.OPT,), sandbox.RUNTIME, tuple(mounts))
        shown = [(str(code_dir), sandbox.TASK)] + [(str(folder), sandbox.OPT) for folder in layers]
        if runtime_dir is not None:
            shown.append((str(runtime_dir), sandbox.RUNTIME))
        shown.sort(key=lambda pair: -len(pair[0]))  # a longer path first: it may contain a shorter one
        runtime = str(runtime_dir) if runtime_dir is not None else str(code_dir)
        return Placement(str(code_dir), tuple(str(f) for f in reversed(layers)), runtime, (), tuple(shown))

    def _merged(self, layers: list[Path], tag: str = "") -> Path:
        """One folder holding the layers' files as `/opt` holds them on AWS (a later layer's file
        replaces an earlier one's): the layer itself when there is one, hard links otherwise."""
        if len(layers) == 1:
            return layers[0]
        parts = [str(folder) for folder in layers] + ([tag] if tag else [])
        name = hashlib.sha256("\n".join(parts).encode()).hexdigest()
        target = self.files_dir / "opt" / name
        if target.is_dir():
            return target
        staging = target.with_name(f".{name}.{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for folder in layers:
            shutil.copytree(folder, staging, symlinks=True, dirs_exist_ok=True, copy_function=_link)
        try:
            staging.rename(target)
        except OSError:  # made meanwhile by someone else
            shutil.rmtree(staging, ignore_errors=True)
        return target


def _link(source: str, target: str) -> None:
    if os.path.lexists(target):
        os.unlink(target)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def rewrite(data: bytes, path_map: tuple[tuple[bytes, bytes], ...]) -> bytes:
    """`data` with each real folder replaced by the name the function would see on AWS."""
    for real, shown in path_map:
        if real in data:
            data = data.replace(real, shown)
    return data
