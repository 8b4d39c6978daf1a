"""Platform configuration: command-line flags over environment variables over defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


def _env_float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


@dataclass(frozen=True)
class Config:
    """Everything the platform needs to know before it starts."""

    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path(".overcast")
    in_memory: bool = False
    #: Factor applied to AWS's timers (retry delays, visibility timeouts, schedules...).
    #: 0.001 makes a one-minute AWS delay take 60 ms. Function timeouts stay real.
    time_scale: float = 1.0
    #: SQLite `synchronous` mode: NORMAL survives a process crash, FULL also a power cut.
    sync_mode: str = "NORMAL"
    #: For testing only: cap the database at this many 4 KiB pages, so writes past it fail as on a
    #: full disk (`OVERCAST_TESTING_DB_MAX_PAGES`; docs/reliability.md, "A full disk"). 0: no cap.
    db_max_pages: int = 0
    default_account: str = DEFAULT_ACCOUNT
    default_region: str = DEFAULT_REGION
    #: Lambda's per-region concurrency quota.
    concurrency_limit: int = 1000
    #: Seconds an execution environment may stay idle before it is reaped (real time).
    environment_idle_seconds: float = 300.0
    #: Record the platform's own CloudWatch metrics (Lambda's Invocations, SQS's queue depths...);
    #: `OVERCAST_METRICS=0` turns them off.
    metrics: bool = True
    #: Host name put into URLs overcast hands out (queue URLs, API endpoints...).
    public_host: str = "localhost"
    #: Accept Lambda runtimes AWS no longer lets you create (nodejs14.x, python3.8...) and run them on the
    #: nearest supported runtime of their family.
    legacy_runtimes: bool = False
    #: Lambda's account-level BlockPublicAccess setting: refuse resource policies granting public access.
    lambda_block_public_access: bool = False
    #: Record X-Ray segments for every hop (OVERCAST_TRACING=0 turns recording off; headers still travel).
    tracing: bool = True
    #: UDP port of the X-Ray daemon on `host` (0: no daemon).
    xray_daemon_port: int = 2000
    #: Functions whose environments run under a debugger: `name[:port][:wait],...` (docs/debugging.md).
    debug: str = ""
    #: Port of SES's SMTP receiving endpoint on `host` (0: off). Messages delivered there run the
    #: active receipt rule set, like `POST /_overcast/ses/inbound`.
    ses_smtp_port: int = 0
    #: IAM policy evaluation (docs/iam.md): "off", "report" (log and list would-be denials) or "enforce".
    iam: str = "off"
    #: Verify SigV4 signatures against the keys IAM and STS issued (docs/iam.md).
    verify_signatures: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Config:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "host": env.get("OVERCAST_HOST", cls.host),
            "port": _env_int(env, "OVERCAST_PORT", cls.port),
            "data_dir": Path(env.get("OVERCAST_DATA_DIR", str(cls.data_dir))),
            "in_memory": env.get("OVERCAST_IN_MEMORY", "").lower() in ("1", "true", "yes"),
            "time_scale": _env_float(env, "OVERCAST_TIME_SCALE", 1.0),
            "sync_mode": env.get("OVERCAST_SQLITE_SYNC", "NORMAL").upper(),
            "db_max_pages": _env_int(env, "OVERCAST_TESTING_DB_MAX_PAGES", 0),
            "concurrency_limit": int(env.get("OVERCAST_LAMBDA_CONCURRENCY", cls.concurrency_limit)),
            "environment_idle_seconds": _env_float(env, "OVERCAST_ENV_IDLE_SECONDS", 300.0),
            "metrics": env.get("OVERCAST_METRICS", "1").lower() not in ("0", "false", "no", "off"),
            "public_host": env.get("OVERCAST_PUBLIC_HOST", cls.public_host),
            "legacy_runtimes": env.get("OVERCAST_LEGACY_RUNTIMES", "").lower() in ("1", "true", "yes"),
            "lambda_block_public_access": env.get("OVERCAST_LAMBDA_BLOCK_PUBLIC_ACCESS", "").lower()
            in ("1", "true", "yes"),
            "tracing": env.get("OVERCAST_TRACING", "1").lower() not in ("0", "false", "no", "off"),
            "xray_daemon_port": int(env.get("OVERCAST_XRAY_DAEMON_PORT", cls.xray_daemon_port)),
            "debug": env.get("OVERCAST_DEBUG", ""),
            "ses_smtp_port": _env_int(env, "OVERCAST_SES_SMTP_PORT", 0),
            "iam": env.get("OVERCAST_IAM", "off").lower() or "off",
            "verify_signatures": env.get("OVERCAST_VERIFY_SIGNATURES", "").lower() in ("1", "true", "yes"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**values)  # type: ignore[arg-type]
        if config.sync_mode not in ("NORMAL", "FULL"):
            raise ValueError(f"OVERCAST_SQLITE_SYNC must be NORMAL or FULL, got {config.sync_mode!r}")
        if config.iam not in ("off", "report", "enforce"):
            raise ValueError(f"--iam / OVERCAST_IAM must be off, report or enforce, got {config.iam!r}")
        if not 0 <= config.port <= 65535:
            raise ValueError(f"port {config.port} is out of range: a TCP port is 0 to 65535 (0 picks a free one)")
        if not (0 < config.time_scale < float("inf")):
            raise ValueError(f"time scale {config.time_scale:g} must be a positive number "
                             f"(0.001 makes a one-minute AWS timer take 60 ms)")
        return config

    def with_(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def endpoint(self) -> str:
        """The URL clients (and functions) use to reach this platform."""
        return f"http://{self.public_host}:{self.port}"


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
