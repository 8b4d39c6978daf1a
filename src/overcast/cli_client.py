"""What the client sub-commands (`invoke`, `status`, `logs`...) share: the options naming a running
overcast, a boto3 client for it, and the one-line report of a server that cannot be reached."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    """`--endpoint-url` and `--region`, as `overcast logs` has them."""
    parser.add_argument("--endpoint-url", default=None,
                        help="overcast's URL (default http://localhost:$OVERCAST_PORT, port 4566)")
    parser.add_argument("--region", default=None, help="region (default $AWS_DEFAULT_REGION or us-east-1)")


def endpoint(args: argparse.Namespace) -> str:
    """The URL of the overcast the command talks to."""
    return str(getattr(args, "endpoint_url", None) or f"http://localhost:{os.environ.get('OVERCAST_PORT', '4566')}")


def region(args: argparse.Namespace) -> str:
    return str(getattr(args, "region", None) or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")
               or "us-east-1")


def client(service: str, args: argparse.Namespace, *, read_timeout: float = 60) -> Any:
    """A boto3 client for `service` on the overcast named by `args` (any credentials do)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service, endpoint_url=endpoint(args), region_name=region(args),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5,
                      read_timeout=read_timeout),
    )


def unreachable(url: str) -> int:
    """Report a server that does not answer; exit status 2."""
    print(f"overcast: cannot reach {url} (is `overcast up` running?)", file=sys.stderr)
    return 2
