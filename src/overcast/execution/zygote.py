"""The zygote: a pre-warmed Python process that forks execution environments.

Run as a script (``python zygote.py <control-fd>``); it imports nothing from overcast. It pre-imports
what every Python function pays for at cold start (boto3, botocore, json...) so that a forked
environment starts in milliseconds. It does NOT import `awslambdaric`: the runtime client's native
extension reads `AWS_LAMBDA_RUNTIME_API` once, when it loads, so each child imports it after the
fork, once its own Runtime API address is in its environment.

Control protocol over a Unix socket (JSON lines, one file descriptor passed with each spawn):
  platform → zygote  {"op": "spawn", "id": ..., "env": {...}, "cwd": ..., "path": [...], "handler": ...}
                     + SCM_RIGHTS [log_fd]  (the child's stdout/stderr)
  platform → zygote  {"op": "mount", "id": ..., "pid": ..., "mounts": {target: source}}  (a helper joins
                     that process's mount namespace, mounts, and exits 0 or 1: reported as "exited")
  zygote → platform  {"op": "spawned", "id": ..., "pid": ...}
                     {"op": "exited", "id": ..., "pid": ..., "status": "exit status 1" | "signal: killed"}
When the control socket closes (the platform is gone) the zygote kills its children and exits.
"""

from __future__ import annotations

import array
import ctypes
import json
import os
import selectors
import signal
import socket
import sys

PR_SET_PDEATHSIG = 1


def _preimport() -> None:
    import http.client  # noqa: F401
    import json  # noqa: F401
    import logging  # noqa: F401
    import uuid  # noqa: F401

    import hostredirect  # noqa: F401  (installed in each child: see _child)
    import sandbox  # noqa: F401  (AWS's paths and limits, set up in each child: see _child)

    try:
        import boto3
        import simplejson  # noqa: F401
    except ImportError:
        return
    # Warm boto3's default session, the one `boto3.client(...)` in a handler uses: its loader then
    # holds the service models, endpoint rules and partitions, and a child's first client costs
    # milliseconds instead of ~150 ms of CPU. The clients made here are dropped; nothing that
    # depends on the child's environment (credentials, region, endpoint) is resolved in the session.
    try:
        boto3.setup_default_session()
        for name in ("s3", "dynamodb", "sqs", "sns", "events", "lambda", "kinesis", "sts"):
            boto3.client(name, region_name="us-east-1", endpoint_url="http://127.0.0.1:1",
                         aws_access_key_id="zygote", aws_secret_access_key="zygote")
        boto3.resource("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:1",
                       aws_access_key_id="zygote", aws_secret_access_key="zygote")
    except Exception:
        pass


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


_INHERITED: list[int] = []  # the zygote's own descriptors, closed in every child


def _child(spec: dict, log_fd: int, control: socket.socket) -> None:
    """In the forked child: become the environment and run the runtime interface client."""
    try:
        control.close()
        signal.set_wakeup_fd(-1)
        for fd in _INHERITED:
            try:
                os.close(fd)
            except OSError:
                pass
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        _die_with_parent()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        if log_fd > 2:
            os.close(log_fd)
        os.environ.clear()
        os.environ.update(spec["env"])
        import sandbox  # next to this script, imported by the zygote before the fork

        sandbox.prepare(spec.get("sandbox"))
        os.chdir(spec["cwd"])
        if spec.get("debug"):  # before the function's path replaces overcast's: debugpy is on overcast's
            _debug(spec["debug"]["port"], spec["debug"]["wait"])
        sys.path[:] = spec["path"]
        sys.argv = ["/var/runtime/bootstrap", spec["handler"]]
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        import importlib

        import hostredirect  # next to this script, imported by the zygote before the fork

        hostredirect.install(os.environ.get("AWS_ENDPOINT_URL"))
        importlib.invalidate_caches()
        from awslambdaric import bootstrap
        from awslambdaric.lambda_runtime_client import LambdaRuntimeClient

        # On AWS the python3.12+ runtimes wait for the next event on a helper thread so the main
        # thread can take signals; here that costs a thread per invocation and buys nothing.
        client = LambdaRuntimeClient(spec["env"]["AWS_LAMBDA_RUNTIME_API"], False)
        bootstrap.run(spec["handler"], client)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException as exc:  # report how the runtime itself failed, then die
        try:
            os.write(2, f"overcast: runtime failed to start: {type(exc).__name__}: {exc}\n".encode())
        finally:
            os._exit(1)
    os._exit(0)


def _debug(port: int, wait: bool) -> None:
    """Listen for a debugger (VS Code's, through debugpy's adapter) on loopback `port`; with `wait`,
    block until one attaches. A port taken (another environment of the function has it) leaves this
    one running without a debugger, and says so in its log."""
    try:
        import debugpy

        debugpy.listen(("127.0.0.1", port))
    except Exception as exc:
        print(f"overcast: debugpy cannot listen on 127.0.0.1:{port} ({exc}); this environment runs without a "
              "debugger", file=sys.stderr, flush=True)
        return
    if wait:
        debugpy.wait_for_client()


def _join(spec: dict, control: socket.socket) -> None:
    """In a forked helper: mount a function's folders into a spare environment's namespace."""
    try:
        control.close()
        import sandbox

        sandbox.join(spec["pid"], spec["mounts"])
    except BaseException as exc:
        try:
            os.write(2, f"overcast: cannot mount into environment {spec['pid']}: {exc}\n".encode())
        finally:
            os._exit(1)
    os._exit(0)


def _status(code: int) -> str:
    if os.WIFSIGNALED(code):
        sig = signal.Signals(os.WTERMSIG(code))
        names = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGTERM: "terminated",
                 signal.SIGABRT: "aborted"}
        return f"signal: {names.get(sig, sig.name.lower())}"
    return f"exit status {os.WEXITSTATUS(code)}"


def main() -> None:
    # Ctrl-C in `overcast up`'s terminal reaches the whole process group, this process included: the
    # server stops the zygote itself (SIGTERM), so the interrupt is ignored here rather than printed
    # as a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=int(sys.argv[1]))
    _die_with_parent()
    _preimport()
    children: dict[int, str] = {}
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: _shutdown(children))
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_r, selectors.EVENT_READ, "wake")
    _INHERITED.extend([wake_r, wake_w, selector.fileno()])
    buffer = b""
    control.sendall(b'{"op": "ready"}\n')
    while True:
        for key, _ in selector.select():
            if key.data == "wake":
                os.read(wake_r, 4096)
                _reap(children, control)
                continue
            fds = array.array("i")
            try:
                data, ancdata, _, _ = control.recvmsg(65536, socket.CMSG_LEN(16 * fds.itemsize))
            except InterruptedError:
                continue
            if not data:
                _shutdown(children)
            received: list[int] = []
            for level, kind, payload in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    chunk = array.array("i")
                    chunk.frombytes(payload[: len(payload) - (len(payload) % chunk.itemsize)])
                    received.extend(chunk)
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                spec = json.loads(line)
                log_fd = received.pop(0) if received else os.open(os.devnull, os.O_WRONLY)
                pid = os.fork()
                if pid == 0:
                    if spec.get("op") == "mount":
                        _join(spec, control)
                    _child(spec, log_fd, control)
                os.close(log_fd)
                children[pid] = spec["id"]
                control.sendall(json.dumps({"op": "spawned", "id": spec["id"], "pid": pid}).encode() + b"\n")
        _reap(children, control)


def _reap(children: dict[int, str], control: socket.socket) -> None:
    while children:
        try:
            pid, code = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        env_id = children.pop(pid, None)
        if env_id is not None:
            message = {"op": "exited", "id": env_id, "pid": pid, "status": _status(code)}
            try:
                control.sendall(json.dumps(message).encode() + b"\n")
            except OSError:
                pass


def _shutdown(children: dict[int, str]) -> None:
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
