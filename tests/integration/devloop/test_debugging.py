"""Debugging (issue 16, item 2): a function's environments run under a debugger a developer
attaches to — debugpy for Python (the Debug Adapter Protocol), the inspector for Node.js — switched
on per function by `overcast debug` or `/_overcast/lambda-debug/`; its timeout is lifted while a
debugger is attached."""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import needs_node

SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return {'slept': True}\n"


class Dap:
    """A minimal Debug Adapter Protocol client: Content-Length framed JSON over TCP."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.seq = 0
        self.buffer = b""
        self.pending: list[dict[str, Any]] = []

    def request(self, command: str, arguments: dict[str, Any] | None = None) -> int:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command,
                           "arguments": arguments or {}}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def message(self) -> dict[str, Any]:
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._read()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = int(head.split(b":")[1])
        while len(self.buffer) < length:
            self.buffer += self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body)

    def response(self, seq: int) -> dict[str, Any]:
        return self._first(lambda m: m.get("type") == "response" and m.get("request_seq") == seq)

    def event(self, name: str) -> dict[str, Any]:
        return self._first(lambda m: m.get("type") == "event" and m.get("event") == name)

    def _first(self, wanted: Any) -> dict[str, Any]:
        """The first message, read or still to come, that `wanted` accepts (the others are kept)."""
        for message in self.pending:
            if wanted(message):
                self.pending.remove(message)
                return message
        while True:
            message = self.message()
            if wanted(message):
                return message
            self.pending.append(message)

    def _read(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the debug adapter closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


def debug_port() -> int:
    """A free port below Linux's ephemeral range (32768-60999), where the ports the server's own
    listeners and connections take do not land between this choice and the debugger's bind."""
    while True:
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


def _switch(server, function: str, method: str = "PUT", **body: Any) -> dict[str, Any]:
    request = urllib.request.Request(f"{server.url}/_overcast/lambda-debug/{function}", method=method,
                                     data=json.dumps(body).encode() if method != "GET" else None)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _connect(port: int) -> Dap:
    return wait_until(lambda: _try_connect(port), 60, f"a debugger listening on port {port}")


def _try_connect(port: int) -> Dap | None:
    try:
        return Dap(port)
    except OSError:
        return None


def _invoke_in_background(lam, name: str, payload: dict[str, Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        response = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), LogType="Tail")
        outcome.update(response=response, body=json.loads(response["Payload"].read()),
                       tail=base64.b64decode(response["LogResult"]).decode())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_python_environment_waits_for_a_debugger_then_runs_with_its_timeout_lifted(overcast_server, lam):
    port = debug_port()
    name = create_function(lam, SLEEPER, Timeout=1, MemorySize=512)
    view = _switch(overcast_server, name, Port=port, Wait=True)
    assert view == {"FunctionName": name, "FunctionArn": view["FunctionArn"], "Runtime": "python3.12",
                    "Debugging": True, "Port": port, "Wait": True}

    # a 2-second sleep in a 1-second function: with a debugger attached it is not a timeout
    thread, outcome = _invoke_in_background(lam, name, {"sleep": 2})
    dap = _connect(port)
    try:
        initialized = dap.response(dap.request("initialize", {"adapterID": "overcast-test", "clientID": "test",
                                                              "linesStartAt1": True, "columnsStartAt1": True}))
        assert initialized["success"] is True
        assert initialized["body"]["supportsConfigurationDoneRequest"] is True   # debugpy's capabilities
        attach = dap.request("attach", {"justMyCode": False})
        dap.event("initialized")   # the adapter reached the environment: the client may configure it
        dap.response(dap.request("configurationDone"))   # the environment stops waiting: init goes on
        assert dap.response(attach)["success"] is True
        thread.join(120)
        assert not thread.is_alive()
    finally:
        dap.close()
    assert "FunctionError" not in outcome["response"], outcome["body"]
    assert outcome["body"] == {"slept": True}
    assert "1.00 seconds passed while a debugger is attached: the timeout is lifted" in outcome["tail"]


def test_without_a_debugger_attached_the_timeout_applies(overcast_server, lam):
    port = debug_port()
    name = create_function(lam, SLEEPER, Timeout=1, MemorySize=512)
    _switch(overcast_server, name, Port=port)
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"sleep": 3}).encode())
    body = json.loads(response["Payload"].read())
    assert body["errorType"] == "Sandbox.Timedout"


def test_overcast_debug_turns_the_switch_on_and_off(overcast_server, lam):
    name = create_function(lam, SLEEPER)
    port = debug_port()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "overcast", "debug", *args, "--endpoint-url", overcast_server.url],
                              capture_output=True, text=True, timeout=60, check=False)

    on = run(name, "--port", str(port))
    assert on.returncode == 0, on.stderr
    assert f"listen for a debugger (debugpy) on 127.0.0.1:{port}" in on.stdout
    assert name in run().stdout
    # the next environment listens: a debugger gets debugpy's handshake
    lam.invoke(FunctionName=name, Payload=b"{}")
    dap = _connect(port)
    try:
        assert dap.response(dap.request("initialize", {"adapterID": "overcast-test"}))["success"] is True
    finally:
        dap.close()
    off = run(name, "--off")
    assert off.returncode == 0 and "not debugged" in off.stdout
    missing = run("no-such-function", "--port", "5000")
    assert missing.returncode == 1
    assert "Function not found" in missing.stderr and "Traceback" not in missing.stderr


@needs_node
def test_a_node_environment_runs_under_the_inspector(overcast_server, lam):
    port = debug_port()
    name = create_function(lam, "exports.handler = async () => ({ok: true});", runtime="nodejs22.x",
                           handler="handler.handler")
    _switch(overcast_server, name, Port=port)
    response = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    assert json.loads(response["Payload"].read()) == {"ok": True}
    # the inspector's discovery endpoint lists the environment's process and its websocket
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as found:
        targets = json.loads(found.read())
    assert targets and targets[0]["webSocketDebuggerUrl"].startswith(f"ws://127.0.0.1:{port}/")
    # the environment's log says it is debugged, and that its timeout is lifted while attached
    banner = f"overcast: debugging with the Node.js inspector on 127.0.0.1:{port}; the function's timeout " \
             "(3.00 seconds) is lifted while a debugger is attached"
    wait_until(lambda: banner in _log_text(overcast_server, name), 30, "the debugging banner in the log")


def _log_text(server, name: str) -> str:
    logs = server.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    except logs.exceptions.ResourceNotFoundException:
        return ""
    return "\n".join(event["message"] for event in events)


def test_the_switch_of_a_missing_function_is_refused(overcast_server):
    with pytest.raises(urllib.error.HTTPError) as info:
        _switch(overcast_server, "no-such-function", Port=5000)
    assert info.value.code == 404
    assert json.loads(info.value.read())["__type"] == "ResourceNotFoundException"


def test_overcast_debug_in_the_servers_environment_switches_a_function_on():
    from overcast.testing import OvercastServer

    port = debug_port()
    with OvercastServer(in_memory=True, env={"OVERCAST_DEBUG": f"from-env:{port}"}) as server:
        lam = server.client("lambda")
        create_function(lam, SLEEPER, name="from-env")
        assert _switch(server, "from-env", method="GET")["Port"] == port
        response = lam.invoke(FunctionName="from-env", Payload=b"{}")
        assert json.loads(response["Payload"].read()) == {"slept": True}
        dap = _connect(port)
        try:
            assert dap.response(dap.request("initialize", {"adapterID": "overcast-test"}))["success"] is True
        finally:
            dap.close()


BREAKABLE = """import os
def handler(event, context):
    answer = {"file": __file__}
    return answer
"""


def test_a_breakpoint_in_the_handler_stops_there(overcast_server, lam):
    port = debug_port()
    name = create_function(lam, BREAKABLE, Timeout=1, MemorySize=512)
    _switch(overcast_server, name, Port=port)
    # where the environment sees the handler's file (/var/task, or its real folder)
    path = json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())["file"]
    dap = _connect(port)
    try:
        dap.response(dap.request("initialize", {"adapterID": "overcast-test", "linesStartAt1": True}))
        attach = dap.request("attach", {"justMyCode": False})
        dap.event("initialized")
        set_breakpoints = dap.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 4}]})
        assert dap.response(set_breakpoints)["success"] is True
        dap.response(dap.request("configurationDone"))
        dap.response(attach)
        thread, outcome = _invoke_in_background(lam, name, {})
        stopped = dap.event("stopped")
        assert stopped["body"]["reason"] == "breakpoint"
        trace = dap.response(dap.request("stackTrace", {"threadId": stopped["body"]["threadId"]}))
        frame = trace["body"]["stackFrames"][0]
        assert (frame["name"], frame["line"], frame["source"]["path"]) == ("handler", 4, path)
        dap.response(dap.request("continue", {"threadId": stopped["body"]["threadId"]}))
        thread.join(120)
    finally:
        dap.close()
    assert "FunctionError" not in outcome["response"], outcome["body"]
    assert outcome["body"] == {"file": path}


class Inspector:
    """A minimal client of Node's inspector: a websocket (RFC 6455) carrying Chrome DevTools
    Protocol messages."""

    def __init__(self, url: str) -> None:
        address, path = url[len("ws://"):].split("/", 1)
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(f"GET /{path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        assert b" 101 " in head.split(b"\r\n")[0], head

    def send(self, id_: int, method: str) -> None:
        data = json.dumps({"id": id_, "method": method}).encode()
        mask = os.urandom(4)
        length = bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0x80 | 126]) + struct.pack(">H", len(data))
        self.sock.sendall(bytes([0x81]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("the inspector closed the connection")
            self.buffer += data
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def message(self) -> dict[str, Any]:
        _, length = self._take(2)
        if length == 126:
            length = struct.unpack(">H", self._take(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self._take(8))[0]
        return json.loads(self._take(length))

    def until(self, method: str) -> dict[str, Any]:
        while True:
            message = self.message()
            if message.get("method") == method:
                return message

    def close(self) -> None:
        self.sock.close()


@needs_node
def test_a_node_environment_waits_for_the_inspector_with_wait(overcast_server, lam):
    port = debug_port()
    name = create_function(lam, "exports.handler = async () => ({ok: true});", runtime="nodejs22.x",
                           handler="handler.handler", Timeout=1)
    _switch(overcast_server, name, Port=port, Wait=True)
    thread, outcome = _invoke_in_background(lam, name, {})
    targets = wait_until(lambda: _targets(port) or not thread.is_alive(), 60, "the inspector listening")
    assert thread.is_alive(), (outcome, _log_text(overcast_server, name))   # --inspect-brk: waits for a debugger
    assert isinstance(targets, list)
    inspector = Inspector(targets[0]["webSocketDebuggerUrl"])
    try:
        inspector.send(1, "Debugger.enable")
        inspector.send(2, "Runtime.runIfWaitingForDebugger")
        paused = inspector.until("Debugger.paused")   # stopped on the runtime client's first line
        assert paused["params"]["callFrames"]
        inspector.send(3, "Debugger.resume")
        thread.join(120)
    finally:
        inspector.close()
    assert outcome["body"] == {"ok": True}


def _targets(port: int) -> list[dict[str, Any]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as found:
            return json.loads(found.read()) or None
    except OSError:
        return None
