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
from overcast.execution.memory import MemoryGuard
from overcast.execution.zygote_client import Zygote

log = logging.getLogger("overcast.pool")

#: What the Lambda Python runtime provides besides the standard library (`/var/runtime` and the
#: runtime's site-packages on AWS): the runtime interface client and the AWS SDK, and the durable
#: execution SDK when it is installed next to overcast (AWS's runtimes include it).
RUNTIME_MODULES = (
    "awslambdaric", "runtime_client", "snapshot_restore_py", "simplejson",
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six",
    "aws_durable_execution_sdk_python",
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
        self.memory = MemoryGuard()
        self._closing: set[asyncio.Future[None]] = set()
        self._spares: dict[tuple[str, ...], Environment] = {}   # started Node processes, by command
        self._starting: dict[tuple[str, ...], asyncio.Future[None]] = {}
        #: set up a spare's process with (sandbox.prepare) when environments get a mount namespace:
        #: it starts with the runtime mounted, and its function's folders are mounted when it is taken
        self.spare_setup: dict[str, object] | None = None

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
        spare = await self._take_spare(spec)
        if spare is not None and not await self._mount_function(spare, spec):
            spare.kill()
            self._discard(spare)
            spare = None
        if spare is not None:
            spare.memory = self.memory
            spare.spec = spec
            spare.adopt(spec, self._extra_env(spare))
            return spare, True
        env = Environment(spec, self._log_sink)
        env.memory = self.memory
        env.busy = True
        self._all[env.id] = env
        try:
            launcher = self.zygote if spec.family == "python" else self.launcher
            await env.start(launcher, self._extra_env(env))
        except Exception:
            self._discard(env)
            await env.close()
            raise
        if spec.family == "node" and spec.debugger is None:
            self.ensure_spare(spec.argv)
        return env, True

    async def _mount_function(self, spare: Environment, spec: EnvironmentSpec) -> bool:
        """A spare started in its own mount namespace gets its function's folders mounted now."""
        placement = spec.placement
        if placement is None or not placement.mounts or spare.pid is None:
            return True
        from overcast.execution.sandbox import RUNTIME

        mounts = {target: source for target, source in placement.mounts if target != RUNTIME}
        return await self.zygote.mount_into(spare.pid, mounts)

    # -- spares: Node.js cannot fork a warm zygote, so one process per command waits, started ----

    async def _take_spare(self, spec: EnvironmentSpec) -> Environment | None:
        """A started Node.js process for `spec` (one still starting is further along than a new
        one), replaced by a new one; None when there is none or the function sets NODE_OPTIONS
        (which apply when node starts)."""
        if spec.family != "node" or "NODE_OPTIONS" in spec.variables or spec.debugger is not None:
            return None
        starting = self._starting.get(spec.argv)
        if starting is not None and spec.argv not in self._spares:
            with contextlib.suppress(Exception):
                await asyncio.shield(starting)
        spare = self._spares.pop(spec.argv, None)
        self.ensure_spare(spec.argv)
        if spare is None or not spare.alive:
            return None
        spare.busy = True
        return spare

    def ensure_spare(self, argv: tuple[str, ...]) -> None:
        """Start a spare for `argv` in the background unless one is there or starting."""
        if argv in self._spares or argv in self._starting:
            return
        starting = asyncio.ensure_future(self._start_spare(argv))
        self._starting[argv] = starting
        starting.add_done_callback(lambda _: self._starting.pop(argv, None))

    async def _start_spare(self, argv: tuple[str, ...]) -> None:
        spec = EnvironmentSpec(key=f"spare:{' '.join(argv)}", handler="", code_dir=Path("/"), sys_path=(),
                               variables={"PATH": "/usr/local/bin:/usr/bin:/bin"}, family="node", argv=argv)
        env = Environment(spec, self._log_sink)
        self._all[env.id] = env
        try:
            await env.start_spare(self.launcher, {}, self.spare_setup)
        except asyncio.CancelledError:
            env.kill()
            raise
        except Exception:
            log.warning("could not start a spare Node.js process", exc_info=True)
            self._discard(env)
            await env.close()
            return
        if env.alive:
            self._spares[argv] = env

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
        if self._spares.get(env.spec.argv) is env:
            del self._spares[env.spec.argv]
        idle = self._idle.get(env.spec.key)
        if idle and env in idle:
            idle.remove(env)
            if not idle:
                del self._idle[env.spec.key]

    async def prewarm(self, spec: EnvironmentSpec, count: int, tag: str) -> int:
        """Start `count` environments of `spec` and run their init now, kept warm under `tag`
        (provisioned concurrency) until `unprovision(tag)`; environments kept under `tag` before
        (another version's, or a previous count) are retired once these are ready, so the
        provisioned capacity never drops while it moves. Returns how many initialized."""
        before = {env.id for env in self._all.values() if env.meta.get("provisioned") == tag}
        ready = 0
        for _ in range(count):
            env = Environment(spec, self._log_sink)
            env.memory = self.memory
            env.meta["provisioned"] = tag
            env.busy = True
            self._all[env.id] = env
            try:
                launcher = self.zygote if spec.family == "python" else self.launcher
                await env.start(launcher, self._extra_env(env))
                ok = await env.initialized()
            except Exception:
                log.warning("could not start a provisioned environment", exc_info=True)
                ok = False
            if ok:
                ready += 1
            else:
                env.kill()
            self.release(env)
        self.retire_environments(lambda env: env.id in before)
        return ready

    def unprovision(self, tag: str) -> None:
        """Environments kept warm under `tag` become ordinary ones (reaped once idle)."""
        for env in self._all.values():
            if env.meta.get("provisioned") == tag:
                env.meta.pop("provisioned")

    def forget(self, env: Environment) -> None:
        """A busy environment is not reused: `release` stops it."""
        self._all.pop(env.id, None)

    def retire_environments(self, retire: Callable[[Environment], bool]) -> None:
        """Environments `retire` picks are not reused: idle ones stop now, busy ones after their
        invocation."""
        for env in list(self._all.values()):
            if not retire(env) or env.spec.key.startswith("spare:"):
                continue
            self._all.pop(env.id, None)
            if not env.busy:
                self._discard(env)
                closing = asyncio.ensure_future(env.close())
                self._closing.add(closing)
                closing.add_done_callback(self._closing.discard)

    async def reap(self) -> None:
        """Stop environments idle for longer than `idle_seconds`."""
        now = time.monotonic()
        for env in list(self._all.values()):
            if not env.busy and now - env.last_used > self.idle_seconds and "provisioned" not in env.meta:
                self._discard(env)
                await env.close()

    async def close(self) -> None:
        for env in list(self._all.values()):
            self._discard(env)
            with contextlib.suppress(Exception):
                await env.close()
        self.zygote.close()
        self.launcher.close()
        self.memory.close()

    def stop_all_now(self) -> None:
        """Synchronous best-effort kill (shutdown and reset paths)."""
        self.memory.close()
        for env in list(self._all.values()):
            env.kill()
        for starting in self._starting.values():
            starting.cancel()
        self._all.clear()
        self._spares.clear()
        self._idle.clear()
