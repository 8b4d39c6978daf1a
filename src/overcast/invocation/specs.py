"""What an execution environment of a function version is given: its spec (code folder, layers,
runtime, AWS's paths through `execution/layout.py`, Lambda's variables) and, per environment, its
log stream and its execution role's credentials (docs/runtimes.md#what-every-environment-shares)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from overcast.execution import runtimes, sandbox
from overcast.execution.debugging import Debugger
from overcast.execution.environment import Environment, EnvironmentSpec
from overcast.execution.hotreload import HotFolders
from overcast.execution.layout import AWS_LD_LIBRARY_PATH, AWS_PATH, Layout, Placement
from overcast.execution.node_sdk import NodeSdk
from overcast.execution.node_sdk import cache_root as node_cache_root
from overcast.execution.pool import EnvironmentPool, build_runtime_dir, stdlib_path
from overcast.invocation.localhost import EXTENSION_PORT, EXTENSION_PORT_VARIABLE, LocalHost
from overcast.platform import Platform
from overcast.services.lambda_.code import CodeStore
from overcast.services.lambda_.debug import DebugSwitches
from overcast.services.lambda_.errors import ServiceException
from overcast.services.lambda_.layers import LayerStore
from overcast.services.lambda_.models import Resolved
from overcast.services.sts.models import SessionStore
from overcast.tracing import Tracer

PYTHON_VERSION = "3.12"
#: How long an environment's execution-role credentials last; environments are retired before
#: they expire (an AWS timer), and new ones get a new session.
CREDENTIALS_SECONDS = 12 * 3600
CREDENTIALS_MARGIN = 15 * 60


def hot_folders(config: dict[str, Any]) -> tuple[str, ...]:
    """The hot-reload folders a function version runs from: its code's and its layers'."""
    folders = [config["_hot"]] if config.get("_hot") else []
    for layer in config.get("Layers") or ():
        if layer.get("_hot"):
            folders.append(layer["_hot"])
    return tuple(folders)


class SpecBuilder:
    """Builds environment specs and per-environment variables for the Invoker."""

    def __init__(self, platform: Platform, node_sdk: NodeSdk, hot: HotFolders) -> None:
        self.platform = platform
        self.node_sdk = node_sdk
        self.code = CodeStore(platform.files_dir)
        self.layers = platform.component(LayerStore)
        self.sessions = platform.component(SessionStore)
        self.debug = platform.component(DebugSwitches)
        self.pool: EnvironmentPool | None = None
        self.hot = hot   # the Invoker's, which hears the changes
        self._runtime_dir: str | None = None
        self._stdlib = stdlib_path()
        self._layout: Layout | None = None

    def reset(self) -> None:
        """The data dir was emptied: the runtime folder is rebuilt on the next start."""
        self._runtime_dir = None

    @property
    def layout(self) -> Layout:
        """How environments get AWS's paths on this machine (decided on first use)."""
        if self._layout is None:
            # what environments need at its real path: it must not be under a folder they see mounted over
            needed = [*self._stdlib, str(runtimes.NODE_CLIENT_DIR), str(node_cache_root()),
                      *(str(Path(p).resolve()) for p in self._stdlib)]
            if runtimes.node_available():
                node = Path(runtimes.node_binary()[0])
                needed += [str(node), str(node.resolve())]
            self._layout = Layout(self.platform.files_dir, tuple(needed))
            if self._layout.namespace and self.pool is not None:  # spares start with the runtime mounted
                self.pool.spare_setup = {"mounts": {sandbox.RUNTIME: str(runtimes.NODE_CLIENT_DIR)}, "cwd": "/"}
        return self._layout

    def build(self, resolved: Resolved, key: str) -> EnvironmentSpec:
        """The environment spec of a function version: its code, layers, variables and paths."""
        config = resolved.config
        code_dir = self._code_dir(resolved)
        layers = self.layers.folders(config.get("Layers", []))
        watched = hot_folders(config)
        tag = f"hot{self.hot.generation(watched)}" if watched else ""
        kind = runtimes.family(config.get("Runtime")) or "python"
        runtime_dir: Path | None = None
        if kind == "python":
            if self._runtime_dir is None:
                self._runtime_dir = str(build_runtime_dir(self.platform.files_dir / "runtime" / "python"))
            runtime_dir = Path(self._runtime_dir)
        elif kind == "node":
            runtime_dir = runtimes.NODE_CLIENT_DIR
        place = self.layout.place(code_dir, layers, runtime_dir, tag)
        variables = dict((config.get("Environment") or {}).get("Variables") or {})
        place = self._localhost(place, variables)
        variables.update(self._lambda_environment(resolved, kind, place.task))
        variables["PATH"] = place.paths(AWS_PATH[kind])
        variables["LD_LIBRARY_PATH"] = place.paths(AWS_LD_LIBRARY_PATH[kind])
        variables["LAMBDA_RUNTIME_DIR"] = place.runtime
        handler = config.get("Handler") or ""
        debugger = self.debugger(resolved, kind)
        common: dict[str, Any] = {"key": key, "handler": handler, "code_dir": code_dir, "family": kind,
                                  "watched": watched, "debugger": debugger,
                                  "memory_mb": int(config.get("MemorySize", 128)),
                                  "timeout": float(config.get("Timeout", 3)), "placement": place,
                                  "role": config.get("Role") or ""}
        if kind == "node":
            node, installed_major = runtimes.node_binary()
            major = runtimes.runtime_major(config.get("Runtime") or "", installed_major)
            client = str(runtimes.NODE_CLIENT_DIR)
            node_path = runtimes.node_path(Path(place.task), [Path(p) for p in reversed(place.opt)], major,
                                           self.node_sdk_dir())
            variables["NODE_PATH"] = node_path.replace(client, place.runtime)
            argv = self.node_argv(node, int(config.get("MemorySize", 128)))
            if debugger is not None:
                argv = (argv[0], debugger.node_flag(), *argv[1:])
            return EnvironmentSpec(sys_path=(), variables=variables, argv=argv, **common)
        if kind == "provided":
            argv = runtimes.bootstrap_argv(code_dir, layers)
            if argv and place.mounts:  # the same file, as the process sees it
                found = Path(argv[0])
                argv = (f"{place.task}/bootstrap" if found.parent == code_dir else f"{place.opt[0]}/bootstrap",)
            return EnvironmentSpec(sys_path=(), variables=variables, argv=argv, **common)
        layer_paths: list[str] = []
        for folder in place.opt:
            layer_paths += [f"{folder}/python/lib/python{PYTHON_VERSION}/site-packages", f"{folder}/python"]
        variables["PYTHONPATH"] = place.runtime
        return EnvironmentSpec(sys_path=(place.task, *layer_paths, place.runtime, *self._stdlib),
                               variables=variables, **common)

    def _localhost(self, place: Placement, variables: dict[str, str]) -> Placement:
        """The loopback listeners the function expects (the Parameters and Secrets extension's
        port), and, in a mount namespace, the hosts file that makes them its `localhost`."""
        local = self.platform.component(LocalHost)
        local.configure(self.layout.namespace)
        port = str(variables.get(EXTENSION_PORT_VARIABLE) or "")
        local.reserve(int(port) if port.isdigit() and 0 < int(port) < 65536 else EXTENSION_PORT)
        hosts = local.hosts_mount()
        return dataclasses.replace(place, mounts=(*place.mounts, hosts)) if hosts and place.mounts else place

    def debugger(self, resolved: Resolved, kind: str) -> Debugger | None:
        """How a function's environments are debugged, when its debug switch is on (Python, Node.js)."""
        ref = resolved.ref
        switch = self.debug.get(ref.account, ref.region, ref.name)
        if switch is None or kind not in ("python", "node"):
            return None
        return Debugger(switch.port_for(kind), switch.wait)

    def _code_dir(self, resolved: Resolved) -> Path:
        """The folder a function version's code is in: its extracted archive, or its hot-reload folder."""
        hot = resolved.config.get("_hot")
        if hot:
            if not Path(hot).is_dir():
                raise ServiceException(f"The hot-reload folder of {resolved.invoked_arn} is missing: {hot}")
            return Path(hot)
        stored = self.code.get(resolved.config.get("_code", ""))
        if stored is None:
            raise ServiceException(f"The code of {resolved.invoked_arn} is missing from overcast's data dir.")
        return stored.folder

    def node_sdk_dir(self) -> Path | None:
        """The AWS SDK for JavaScript's node_modules, when installed (see execution/node_sdk.py)."""
        return self.node_sdk.modules

    def _lambda_environment(self, resolved: Resolved, kind: str, task_root: str) -> dict[str, str]:
        """The variables Lambda sets in every environment of a function version (credentials and
        the log stream are per environment: `per_environment`)."""
        config = resolved.config
        logging_config = config.get("LoggingConfig") or {}
        runtime = config.get("Runtime") or "python3.12"
        daemon = self.platform.component(Tracer).daemon_address
        variables = {
            "_HANDLER": config.get("Handler") or "",
            "AWS_REGION": resolved.ref.region,
            "AWS_DEFAULT_REGION": resolved.ref.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": resolved.ref.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize", 128)),
            "AWS_LAMBDA_FUNCTION_VERSION": resolved.executed_version,
            "AWS_LAMBDA_LOG_GROUP_NAME": logging_config.get("LogGroup") or f"/aws/lambda/{resolved.ref.name}",
            "AWS_LAMBDA_LOG_FORMAT": logging_config.get("LogFormat", "Text"),
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.platform.config.port}",
            # Lambda points the X-Ray SDKs at its daemon; here, overcast's (services/xray/daemon.py)
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "AWS_XRAY_DAEMON_ADDRESS": daemon,
            "_AWS_XRAY_DAEMON_ADDRESS": daemon.rsplit(":", 1)[0],
            "_AWS_XRAY_DAEMON_PORT": daemon.rsplit(":", 1)[1],
            "LAMBDA_TASK_ROOT": task_root,
            "PWD": task_root,
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
        }

        if logging_config.get("ApplicationLogLevel") and logging_config.get("LogFormat") == "JSON":
            variables["AWS_LAMBDA_LOG_LEVEL"] = logging_config["ApplicationLogLevel"]
        return variables

    def per_environment(self, env: Environment) -> dict[str, str]:
        """Per-environment variables: its log stream (`YYYY/MM/DD/[version]<id>`) and its
        execution role's temporary credentials (an STS session named after the function)."""
        version = env.spec.variables.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        day = dt.datetime.fromtimestamp(self.platform.clock.now(), dt.UTC).strftime("%Y/%m/%d")
        stream = f"{day}/[{version}]{env.id}"
        account = env.spec.key.split(":")[4]
        name = env.spec.variables["AWS_LAMBDA_FUNCTION_NAME"]
        env.meta.update(stream=stream, group=env.spec.variables["AWS_LAMBDA_LOG_GROUP_NAME"], account=account,
                        region=env.spec.variables["AWS_REGION"])
        role = env.spec.role or f"arn:aws:iam::{account}:role/{name}-role"
        # the function's own account: Lambda only takes execution roles of the function's account
        creds, _ = self.sessions.assume(role, name, CREDENTIALS_SECONDS, account, account=account)
        env.meta["session_token"] = creds["SessionToken"]  # how local listeners know the environment
        # retired before they expire: an AWS timer, so it runs faster under a time scale
        env.meta["refresh_at"] = self.platform.clock.later(CREDENTIALS_SECONDS - CREDENTIALS_MARGIN)
        init_type = "provisioned-concurrency" if "provisioned" in env.meta else "on-demand"
        return {"AWS_LAMBDA_LOG_STREAM_NAME": stream, "AWS_LAMBDA_INITIALIZATION_TYPE": init_type,
                "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                "AWS_SESSION_TOKEN": creds["SessionToken"]}

    def node_argv(self, node: str, memory_mb: int | None = None) -> tuple[str, ...]:
        """The command of a Node.js environment: overcast's client where the process sees it, V8's
        heap sized from `memory_mb`."""
        if not self.layout.namespace:
            return runtimes.node_argv(node, memory_mb)
        client = str(runtimes.NODE_CLIENT_DIR)
        return tuple(arg.replace(client, sandbox.RUNTIME) for arg in runtimes.node_argv(node, memory_mb))

