"""The platform's side of the zygote: start it, ask it to fork environments, hear about exits."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from overcast.execution.model import within

log = logging.getLogger("overcast.zygote")

ZYGOTE_SCRIPT = Path(__file__).with_name("zygote.py")


class ZygoteError(RuntimeError):
    """The zygote could not fork an environment."""


class Zygote:
    """One zygote process; restarted on demand if it dies."""

    def __init__(self, on_exit: Callable[[str, str], None]) -> None:
        self._on_exit = on_exit
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._ready: asyncio.Future[None] | None = None
        self._spawned: dict[str, asyncio.Future[int]] = {}
        self._starting: asyncio.Task[None] | None = None
        self._helpers: dict[str, asyncio.Future[str]] = {}

    async def ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None and self._ready is not None \
                and self._ready.done():
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._start())
        await asyncio.shield(self._starting)

    async def _start(self) -> None:
        self.close()
        loop = asyncio.get_running_loop()
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OVERCAST_", "PYTEST"))}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self._process = subprocess.Popen(
            [sys.executable, "-u", str(ZYGOTE_SCRIPT), str(child.fileno())],
            pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL,
        )
        child.close()
        parent.setblocking(False)
        self._sock = parent
        self._buffer = b""
        self._ready = loop.create_future()
        loop.add_reader(parent.fileno(), self._readable)
        await within(self._ready, 60, cancel=False)

    def _readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
            return
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self._message(json.loads(line))

    def _message(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "ready" and self._ready is not None and not self._ready.done():
            self._ready.set_result(None)
        elif op == "spawned":
            future = self._spawned.pop(message["id"], None)
            if future is not None and not future.done():
                future.set_result(int(message["pid"]))
        elif op == "exited":
            helper = self._helpers.pop(message["id"], None)
            if helper is not None:
                if not helper.done():
                    helper.set_result(message["status"])
                return
            self._on_exit(message["id"], message["status"])

    def _lost(self) -> None:
        """The zygote died: every environment it forked is gone too (they die with it)."""
        sock = self._sock
        if sock is not None:
            asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()
            self._sock = None
        for env_id, future in list(self._spawned.items()):
            if not future.done():
                future.set_exception(ZygoteError("the zygote exited"))
            self._spawned.pop(env_id, None)
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(ZygoteError("the zygote exited during start-up"))

    async def spawn(self, env_id: str, spec: dict[str, Any], log_fd: int) -> int:
        """Fork an environment; returns its pid. `log_fd` becomes its stdout and stderr."""
        await self.ensure_started()
        sock = self._sock
        if sock is None:
            raise ZygoteError("the zygote is not running")
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._spawned[env_id] = future
        data = json.dumps({**spec, "id": env_id}).encode() + b"\n"
        sock.setblocking(True)
        try:
            socket.send_fds(sock, [data], [log_fd])
        finally:
            sock.setblocking(False)
        return await within(future, 30)

    async def mount_into(self, pid: int, mounts: dict[str, str]) -> bool:
        """Bind-mount `mounts` into the mount namespace of process `pid` (a forked helper does it:
        joining a namespace needs a single-threaded process); True when it worked."""
        helper_id = f"mount-{pid}-{len(self._helpers)}-{os.urandom(4).hex()}"
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._helpers[helper_id] = future
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            await self.spawn(helper_id, {"op": "mount", "pid": pid, "mounts": mounts}, devnull)
            return await within(future, 30) == "exit status 0"
        except (ZygoteError, TimeoutError, OSError):
            return False
        finally:
            os.close(devnull)
            self._helpers.pop(helper_id, None)

    def close(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                asyncio.get_running_loop().remove_reader(sock.fileno())
            except RuntimeError:
                pass
            sock.close()
            self._sock = None
        process = self._process
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            self._process = None
