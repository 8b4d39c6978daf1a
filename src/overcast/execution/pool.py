"""The environment pool: warm environments per function version, reused, reaped when idle,
retired when code or configuration changes, replaced after a timeout or crash."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from overcast.execution.environment import Environment, EnvironmentSpec
from overcast.execution.launcher import ProcessLauncher
from overcast.execution.zygote_client import Zygote

log = logging.getLogger("overcast.pool")

#: What the Lambda Python runtime provides besides the standard library (`/var/runtime` and the
#: runtime's site-packages on AWS): the runtime interface client and the AWS SDK.
RUNTIME_MODULES = (
    "awslambdaric", "runtime_client", "snapshot_restore_py", "simplejson",
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six",
)

LogSink = Callable[[Environment, list[tuple[int, str]]], None]


def build_runtime_dir(target: Path) -> Path:
    """A directory exposing only the runtime's own packages (symlinks into this interpreter's
    site-packages), so a function sees its code, its layers, the SDK and the standard library —
    not whatever else happens to be installed next to overcast."""
    target.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin in (None, "built-in", "frozen"):
            continue
        source = Path(spec.origin)
        if spec.submodule_search_locations:
            source = Path(next(iter(spec.submodule_search_locations)))
        link = target / source.name
        if link.is_symlink() or link.exists():
            if link.resolve() == source.resolve():
                continue
            link.unlink()
        os.symlink(source, link)
    return target


def stdlib_path() -> tuple[str, ...]:
    """This interpreter's standard library entries of `sys.path` (the zip, the library, its C
    extensions in lib-dynload) — from the base installation even inside a virtual environment,
    whose own paths hold nothing but site-packages."""
    bases = tuple({sys.base_prefix, sys.base_exec_prefix})
    entries: list[str] = []
    for entry in sys.path:
        if not entry or not entry.startswith(bases) or "site-packages" in entry or "dist-packages" in entry:
            continue
        if entry not in entries:
            entries.append(entry)
    return tuple(entries)


class EnvironmentPool:
    def __init__(self, log_sink: LogSink, extra_env: Callable[[Environment], dict[str, str]],
                 idle_seconds: float = 300.0) -> None:
        self._log_sink = log_sink
        self._extra_env = extra_env
        self.idle_seconds = idle_seconds
        self._idle: dict[str, list[Environment]] = {}
        self._all: dict[str, Environment] = {}
        self.zygote = Zygote(self._exited)
        self.launcher = ProcessLauncher(self._exited)
        self._closing: set[asyncio.Future[None]] = set()

    @property
    def environments(self) -> list[Environment]:
        return list(self._all.values())

    def _exited(self, env_id: str, status: str) -> None:
        env = self._all.get(env_id)
        if env is not None:
            env.exited(status)
            if not env.busy:
                self._discard(env)

    async def acquire(self, spec: EnvironmentSpec) -> tuple[Environment, bool]:
        """A warm environment for `spec` if one is idle, else a new one. (env, cold)"""
        idle = self._idle.get(spec.key)
        while idle:
            env = idle.pop()
            if env.alive:
                env.busy = True
                return env, False
            self._discard(env)
        env = Environment(spec, self._log_sink)
        env.busy = True
        self._all[env.id] = env
        try:
            launcher = self.zygote if spec.family == "python" else self.launcher
            await env.start(launcher, self._extra_env(env))
        except Exception:
            self._discard(env)
            await env.close()
            raise
        return env, True

    def release(self, env: Environment) -> None:
        """Give an environment back after an invocation; a dead one is discarded."""
        env.busy = False
        if not env.alive or env.id not in self._all:
            self._discard(env)
            closing = asyncio.ensure_future(env.close())
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
            return
        self._idle.setdefault(env.spec.key, []).append(env)

    def _discard(self, env: Environment) -> None:
        self._all.pop(env.id, None)
        idle = self._idle.get(env.spec.key)
        if idle and env in idle:
            idle.remove(env)
            if not idle:
                del self._idle[env.spec.key]

    async def retire(self, keep: Callable[[str], bool]) -> None:
        """Stop idle environments whose key `keep` rejects (code or configuration changed);
        busy ones finish their invocation and are not reused."""
        for env in list(self._all.values()):
            if keep(env.spec.key):
                continue
            if env.busy:
                self._all.pop(env.id, None)  # release() will close it
            else:
                self._discard(env)
                await env.close()

    async def reap(self) -> None:
        """Stop environments idle for longer than `idle_seconds`."""
        now = time.monotonic()
        for env in list(self._all.values()):
            if not env.busy and now - env.last_used > self.idle_seconds:
                self._discard(env)
                await env.close()

    async def close(self) -> None:
        for env in list(self._all.values()):
            self._discard(env)
            with contextlib.suppress(Exception):
                await env.close()
        self.zygote.close()
        self.launcher.close()

    def stop_all_now(self) -> None:
        """Synchronous best-effort kill (shutdown and reset paths)."""
        for env in list(self._all.values()):
            env.kill()
        self._all.clear()
        self._idle.clear()
