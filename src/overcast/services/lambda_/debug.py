"""The debug switch of a function (overcast's own; docs/debugging.md): its execution environments
run under a debugger a developer attaches to — Python under `debugpy`, Node.js with `--inspect` —
listening on one port, optionally waiting for the debugger before the handler loads.

Switches are documents of kind `debug` in `lambda_docs` (they survive a restart; they go when the
function does), kept in memory too, since every invocation looks its function's up. The server's
`OVERCAST_DEBUG` (`name[:port][:wait],...`) switches functions of the default account and region on
for the life of the process, for tests and CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.errors import InvalidParameterValue
from overcast.services.lambda_.models import FunctionStore
from overcast.services.lambda_.names import FunctionRef
from overcast.storage.documents import Documents

KIND = "debug"
#: the debuggers' own default ports: debugpy's and Node.js's inspector's
DEFAULT_PORTS = {"python": 5678, "node": 9229}


@dataclass(frozen=True)
class DebugSwitch:
    """A function's environments listen for a debugger on `port` (None: the runtime's default);
    with `wait`, init waits until one attaches."""

    port: int | None = None
    wait: bool = False

    def port_for(self, family: str) -> int:
        return self.port or DEFAULT_PORTS.get(family, 5678)

    def document(self) -> dict[str, Any]:
        return {"Port": self.port, "Wait": self.wait}


def check_port(port: Any) -> int | None:
    """A debug port as given (None: the default); AWS-style error for anything else."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InvalidParameterValue(f"The debug port must be a number from 1 to 65535, got {port!r}.")
    return port


def parse_env(text: str) -> dict[str, DebugSwitch]:
    """`OVERCAST_DEBUG`: `name[:port][:wait]` entries, comma-separated → switches by function name."""
    switches: dict[str, DebugSwitch] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, *options = entry.split(":")
        port = next((int(o) for o in options if o.isdigit()), None)
        switches[name] = DebugSwitch(check_port(port), "wait" in options)
    return switches


class DebugSwitches:
    """One per platform (`platform.component(DebugSwitches)`); `on_change(fn)` hears
    `fn(account, region, name)` when a function's switch is turned on, changed or off."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.docs = Documents(platform.db, "lambda_docs")
        self._listeners: list[Callable[[str, str, str], None]] = []
        self._switches: dict[tuple[str, str, str], DebugSwitch] = {}
        self._env_keys: set[tuple[str, str, str]] = set()
        self._from_env()
        for row in self.docs.db.query(f"SELECT account, region, parent, doc FROM lambda_docs WHERE kind='{KIND}'"):
            doc = json.loads(row["doc"])
            self._switches[(row["account"], row["region"], row["parent"])] = DebugSwitch(doc.get("Port"),
                                                                                         bool(doc.get("Wait")))
        platform.component(FunctionStore).on_change(self._function_changed)
        platform.on_reset(self._reset)

    def _from_env(self) -> None:
        """The server's OVERCAST_DEBUG switches (for the life of the process, a reset included)."""
        config = self.platform.config
        for name, switch in parse_env(config.debug).items():
            self._switches[(config.default_account, config.default_region, name)] = switch
            self._env_keys.add((config.default_account, config.default_region, name))

    def _reset(self) -> None:
        self._switches.clear()
        self._from_env()

    def on_change(self, listener: Callable[[str, str, str], None]) -> None:
        self._listeners.append(listener)

    def get(self, account: str, region: str, name: str) -> DebugSwitch | None:
        return self._switches.get((account, region, name)) if self._switches else None

    def set(self, ref: FunctionRef, switch: DebugSwitch | None) -> None:
        """Turn a function's switch on (or change it), or off with None; committed at once."""
        key = (ref.account, ref.region, ref.name)
        with self.platform.db.tx():
            if switch is None:
                self.docs.delete(ref.account, ref.region, KIND, "", parent=ref.name)
            else:
                self.docs.put(ref.account, ref.region, KIND, "", switch.document(), parent=ref.name)
        if switch is None:
            self._switches.pop(key, None)
        else:
            self._switches[key] = switch
        for listener in self._listeners:
            listener(*key)

    def listing(self, account: str, region: str) -> list[tuple[str, DebugSwitch]]:
        return sorted((name, switch) for (a, r, name), switch in self._switches.items() if (a, r) == (account, region))

    def _function_changed(self, account: str, region: str, name: str) -> None:
        if (account, region, name) not in self._switches or (account, region, name) in self._env_keys:
            return
        try:
            self.platform.component(FunctionStore).latest(FunctionRef(account, region, name, None))
        except Exception:  # deleted: its switch goes with it
            self.set(FunctionRef(account, region, name, None), None)
