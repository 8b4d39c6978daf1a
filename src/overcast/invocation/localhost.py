"""What `localhost` is inside this platform's execution environments, and the loopback listeners
functions expect there (the AWS Parameters and Secrets Lambda Extension's port, 2773 by default).

On AWS each execution environment is a micro VM: its `localhost:2773` is its own extension. Here
every environment of every overcast on the machine shares the host's loopback. By default the
ports are bound on 127.0.0.1 when they are free: the first overcast to take one serves it, the
others log it (a function can name another port with PARAMETERS_SECRETS_EXTENSION_HTTP_PORT).
With `OVERCAST_LOCALHOST=private`, where environments get a mount namespace (execution/sandbox.py),
each platform picks a loopback address of its own (`127.x.y.z`: Linux routes all of 127.0.0.0/8
to the loopback interface), binds the ports there, and bind-mounts a hosts file on `/etc/hosts` in
its environments that maps `localhost` to that address; AWS_ENDPOINT_URL and the Runtime API stay
on 127.0.0.1 by number. That is opt-in because `localhost` then no longer reaches the machine's
own services bound to 127.0.0.1 (a database, overcast's own port named as `localhost`). The
listeners tell environments apart by the session token each one presents.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from pathlib import Path

from overcast.platform import Platform

log = logging.getLogger("overcast.localhost")

HOSTS = "/etc/hosts"
SIGNAL = "localhost-ports"
#: the extension's port, and the variable that changes it
#: (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html)
EXTENSION_PORT = 2773
EXTENSION_PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
#: `private`: each platform's environments get a `localhost` of their own
PRIVATE_VARIABLE = "OVERCAST_LOCALHOST"
_TRIES = 50


class LocalHost:
    """The loopback address and listening sockets of one platform's environments."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.address: str | None = None
        self.namespace = False
        self.sockets: dict[int, socket.socket] = {}
        self._refused: set[int] = set()

    def configure(self, namespace: bool) -> None:
        """Decide once: an address of our own (asked for, and environments have a `namespace`), or
        127.0.0.1."""
        if self.address is not None:
            return
        self.namespace = namespace and os.environ.get(PRIVATE_VARIABLE, "").lower() == "private"
        if not self.namespace:
            self.address = "127.0.0.1"
            return
        rng = random.Random()
        for _ in range(_TRIES):
            candidate = f"127.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            sock = _bind(candidate, EXTENSION_PORT)
            if sock is not None:
                self.address = candidate
                self._keep(EXTENSION_PORT, sock)
                return
        log.warning("no free loopback address for functions' localhost; using 127.0.0.1")
        self.address, self.namespace = "127.0.0.1", False

    def reserve(self, port: int) -> None:
        """Listen on `port` at the address (once; a port another process holds is logged once)."""
        if self.address is None or port in self.sockets or port in self._refused:
            return
        sock = _bind(self.address, port)
        if sock is None:
            self._refused.add(port)
            log.warning("%s:%d is in use: functions of this overcast cannot reach the Parameters and Secrets "
                        "extension there", self.address, port)
            return
        self._keep(port, sock)

    def _keep(self, port: int, sock: socket.socket) -> None:
        self.sockets[port] = sock
        self.platform.signals.notify(SIGNAL)

    def hosts_mount(self) -> tuple[str, str] | None:
        """(`/etc/hosts`, a file mapping localhost to our address), when environments get one."""
        if not self.namespace or self.address is None:
            return None
        path = Path(self.platform.files_dir) / "localhost" / "hosts"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(hosts_file(self.address, _machine_hosts()))
        return HOSTS, str(path)


def hosts_file(address: str, machine: str) -> str:
    """The machine's hosts file with `localhost` moved to `address` (the IPv6 name is dropped so
    clients that prefer IPv6 reach the same listener)."""
    kept = [line for line in machine.splitlines()
            if not any(name in ("localhost", "localhost.localdomain", "ip6-localhost")
                       for name in line.split("#", 1)[0].split()[1:])]
    return "\n".join([f"{address}\tlocalhost localhost.localdomain", *kept]) + "\n"


def _machine_hosts() -> str:
    try:
        return Path(HOSTS).read_text()
    except OSError:
        return ""


def _bind(address: str, port: int) -> socket.socket | None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((address, port))
        sock.listen(128)
    except OSError:
        sock.close()
        return None
    sock.setblocking(False)
    return sock
