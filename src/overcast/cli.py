"""The `overcast` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from overcast import __version__


def _fail(message: str) -> int:
    print(f"overcast: {message}", file=sys.stderr)
    return 2


def cmd_up(args: argparse.Namespace) -> int:
    from overcast.config import Config

    try:
        config = Config.from_env(
            host=args.host,
            port=args.port,
            data_dir=Path(args.data_dir) if args.data_dir else None,
            in_memory=True if args.in_memory else None,
            time_scale=args.time_scale,
            legacy_runtimes=True if args.legacy_runtimes else None,
            iam=args.iam,
            verify_signatures=True if args.verify_signatures else None,
        )
    except ValueError as exc:
        return _fail(str(exc))
    if config.host not in ("127.0.0.1", "::1", "localhost") and not config.verify_signatures:
        print(f"overcast: warning: listening on {config.host} without --verify-signatures: anyone who can reach "
              "this address can call every API as the account's root user", file=sys.stderr)
    from overcast.server import bind_socket, serve

    try:
        sock = bind_socket(config.host, config.port)
    except OSError as exc:
        reason = "is already in use" if exc.errno in (98, 48) else f"cannot be bound ({exc.strerror})"
        return _fail(f"port {config.port} on {config.host} {reason}")
    config = config.with_(port=sock.getsockname()[1])
    demo = None
    if args.demo:
        from overcast.demo import Demo, DemoError

        try:
            demo = Demo(config, hot_reload=args.hot_reload)
        except DemoError as exc:
            sock.close()
            return _fail(str(exc))
    from overcast.datadir import DataDirInUse, lock
    from overcast.platform import Platform

    try:
        if not config.in_memory:
            _check_data_dir(config.data_dir)
            lock(config.data_dir)  # the descriptor stays open, and the lock held, until the process ends
    except DataDirInUse as exc:
        sock.close()
        return _fail(str(exc))
    except OSError as exc:
        sock.close()
        return _fail(f"data dir {config.data_dir} is unusable: {exc.strerror or exc}")
    try:
        platform = Platform(config)
    except Exception as exc:  # the one place any other start-up failure is reported
        sock.close()
        where = "memory" if config.in_memory else f"data dir {config.data_dir}"
        return _fail(f"cannot open the state in {where}: {exc}")

    where = "in memory" if config.in_memory else f"data in {config.data_dir.resolve()}"

    def announce() -> None:
        print(f"overcast {__version__} ready on http://{config.host}:{config.port} ({where})", flush=True)
        if demo is not None:
            demo.start()

    serve(platform, sock, announce)
    return 0


def _check_data_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if not path.is_dir():
        raise OSError(f"{path} is not a directory")
    probe = path / ".overcast-write-probe"
    probe.write_bytes(b"")
    probe.unlink()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="overcast", description="A serverless cloud on one machine.")
    parser.add_argument("--version", action="version", version=f"overcast {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="serve every service on one port, in the foreground")
    up.add_argument("--host", default=None, help="address to bind (default 127.0.0.1, env OVERCAST_HOST)")
    up.add_argument("--port", type=int, default=None, help="port (default 4566, env OVERCAST_PORT)")
    up.add_argument("--data-dir", default=None, help="state directory (default .overcast, env OVERCAST_DATA_DIR)")
    up.add_argument("--in-memory", action="store_true", help="keep nothing on disk")
    up.add_argument("--time-scale", type=float, default=None,
                    help="scale AWS's timers (e.g. 0.001; env OVERCAST_TIME_SCALE)")
    up.add_argument("--legacy-runtimes", action="store_true",
                    help="accept Lambda runtimes AWS has deprecated (nodejs14.x, python3.8...) and run them on the "
                         "nearest supported one (env OVERCAST_LEGACY_RUNTIMES=1)")
    up.add_argument("--iam", choices=("off", "report", "enforce"), default=None,
                    help="evaluate IAM policies: report would-be denials, or enforce them (default off, env "
                         "OVERCAST_IAM; docs/iam.md)")
    up.add_argument("--verify-signatures", action="store_true",
                    help="refuse requests not signed with a known key's secret (env OVERCAST_VERIFY_SIGNATURES=1)")
    up.add_argument("--demo", action="store_true",
                    help="deploy the e-commerce example application and print how to place an order")
    up.add_argument("--hot-reload", action="store_true", help="with --demo: its functions run from "
                    "examples/ecommerce/functions, and each edit applies to the next request")
    up.set_defaults(func=cmd_up)

    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands():  # type: ignore[no-untyped-def]
    """Sub-commands contributed by other modules (logs, deploy...)."""
    commands = []
    try:
        from overcast.commands import COMMANDS

        commands.extend(COMMANDS)
    except ImportError:
        pass
    return commands


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else getattr(logging, os.environ.get("OVERCAST_LOG_LEVEL", "WARNING").upper(),
                                                       logging.WARNING)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`overcast logs fn | head`): stop quietly, as Unix tools do; stdout
        # is pointed at /dev/null so the interpreter's final flush cannot fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
