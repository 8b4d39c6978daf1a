"""The AWS SDK for JavaScript v3 for Node.js functions that do not bundle it, as AWS's nodejs18.x
and later runtimes provide it.

It is installed once per machine with npm, from the npm registry, into a cache shared by every
data dir (`$XDG_CACHE_HOME/overcast/node-sdk`, i.e. `~/.cache/overcast/node-sdk`, or
`OVERCAST_NODE_SDK_DIR`): it is large, the same for every data dir, and resetting a data dir
should not download it again. The first Node.js environment of a server installs it when it is
missing (one progress line); `overcast runtimes install node` does it ahead of time (CI images).
`OVERCAST_NODE_SDK=off` skips it. Its `node_modules` comes last on NODE_PATH, after the
function's own modules and its layers, so a bundled SDK wins, as on AWS.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger("overcast.node_sdk")

#: The clients AWS's runtimes are most often relied on for (the whole @aws-sdk set is several GB).
PACKAGES = (
    "@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/util-dynamodb", "@aws-sdk/client-sqs",
    "@aws-sdk/client-sns", "@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner", "@aws-sdk/lib-storage",
    "@aws-sdk/client-eventbridge", "@aws-sdk/client-lambda", "@aws-sdk/client-kinesis", "@aws-sdk/client-sts",
    "@aws-sdk/client-cloudwatch-logs", "@aws-sdk/client-cloudwatch", "@aws-sdk/client-ssm",
    "@aws-sdk/client-secrets-manager", "@aws-sdk/client-sfn", "@aws-sdk/client-apigatewaymanagementapi",
    "@aws-sdk/credential-providers",
    # AWS's Node.js runtimes include the durable execution SDK too (docs/durable-functions.md)
    "@aws/durable-execution-sdk-js@^2",   # npm would otherwise pick the newest release whose engines match the local node
)
LAYOUT = "v2"   # bump when PACKAGES changes: a new folder is installed next to the old one


class SdkUnavailable(RuntimeError):
    """npm is missing or the registry could not be reached."""


def cache_root() -> Path:
    explicit = os.environ.get("OVERCAST_NODE_SDK_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "overcast" / "node-sdk"


def modules_dir(root: Path | None = None) -> Path:
    return (root or cache_root()) / LAYOUT / "node_modules"


def installed(root: Path | None = None) -> bool:
    return (modules_dir(root).parent / ".installed").is_file()


def install(root: Path | None = None, *, quiet: bool = False) -> Path:
    """Install the SDK (blocking; safe against concurrent installs); returns its node_modules."""
    root = root or cache_root()
    target = modules_dir(root).parent
    if installed(root):
        return modules_dir(root)
    npm = shutil.which("npm")
    if npm is None:
        raise SdkUnavailable("npm is not installed (it comes with Node.js)")
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed(root):  # another process installed it while this one waited
            return modules_dir(root)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
        try:
            _npm_install(npm, staging, quiet)
            (staging / ".installed").write_text("\n".join(PACKAGES) + "\n")
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return modules_dir(root)


def _npm_install(npm: str, prefix: Path, quiet: bool) -> None:
    command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-package-lock",
               "--omit=dev", "--loglevel=error", "--fetch-retries=1", "--fetch-retry-mintimeout=1000",
               "--fetch-retry-maxtimeout=3000", *PACKAGES]
    (prefix / "package.json").write_text('{"name": "overcast-node-sdk", "private": true}\n')
    try:
        done = subprocess.run(command, capture_output=quiet, text=True, timeout=600, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SdkUnavailable("npm install did not finish within 10 minutes") from None
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-3:] if quiet else []
        raise SdkUnavailable("npm install failed (is the npm registry reachable?)"
                             + (": " + " ".join(detail) if detail else ""))


class NodeSdk:
    """The platform's handle on the SDK: installs it on first need, once per server run."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._failed: str | None = None
        self._lock = asyncio.Lock()

    @property
    def modules(self) -> Path | None:
        """Its node_modules folder, once installed."""
        return self._dir

    @property
    def problem(self) -> str | None:
        """Why the SDK is not available, if it is not."""
        return self._failed

    async def ensure(self) -> Path | None:
        if self._dir is not None or self._failed is not None:
            return self._dir
        if os.environ.get("OVERCAST_NODE_SDK", "").lower() in ("off", "0", "false", "no"):
            self._failed = "OVERCAST_NODE_SDK is off"
            return None
        async with self._lock:
            if self._dir is None and self._failed is None:
                await self._install()
        return self._dir

    async def _install(self) -> None:
        if installed():
            self._dir = modules_dir()
            return
        log.warning("installing the AWS SDK for JavaScript v3 for Node.js functions into %s (once per machine)...",
                    cache_root())
        try:
            self._dir = await asyncio.to_thread(install, None, quiet=True)
        except (SdkUnavailable, OSError) as exc:
            self._failed = str(exc)
            log.warning("the AWS SDK for JavaScript could not be installed: %s. Node.js functions that do not "
                        "bundle it cannot import it; run `overcast runtimes install node` once online.", exc)
        if self._dir is not None:
            log.warning("the AWS SDK for JavaScript v3 is installed in %s", self._dir)
