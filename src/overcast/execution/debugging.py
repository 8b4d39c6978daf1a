"""Environments under a debugger (docs/debugging.md): Python under `debugpy` (started in the
forked child, zygote.py), Node.js with `--inspect`/`--inspect-brk` (its command line), both on
one loopback port. While a debugger is attached to that port the function's timeout is lifted:
a developer stopped at a breakpoint is not a timeout.
"""

from __future__ import annotations

from dataclasses import dataclass

ESTABLISHED = "01"


@dataclass(frozen=True)
class Debugger:
    """How an environment is debugged: the port its debugger listens on, and whether init waits
    for a debugger to attach."""

    port: int
    wait: bool = False

    def node_flag(self) -> str:
        """Node.js's inspector flag: `--inspect-brk` stops at the runtime client's first line until
        a debugger attaches (and tells it to go on)."""
        return f"--inspect{'-brk' if self.wait else ''}=127.0.0.1:{self.port}"

    def banner(self, family: str, timeout: float) -> str:
        """The line the environment's log gets when it starts."""
        tool = "debugpy" if family == "python" else "the Node.js inspector"
        waiting = "; init waits for a debugger to attach" if self.wait else ""
        return (f"overcast: debugging with {tool} on 127.0.0.1:{self.port}{waiting}; the function's timeout "
                f"({timeout:.2f} seconds) is lifted while a debugger is attached")


def attached(port: int) -> bool:
    """True when a connection to loopback `port` is established (a debugger is attached): read from
    the kernel's socket tables, so it works the same for debugpy's adapter and Node's inspector."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, "rb") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == ESTABLISHED.encode() and int(fields[1].rsplit(b":", 1)[1], 16) == port:
                return True
    return False
