"""Shared bits of the CloudWatch integration tests: clients forced onto each of the model's protocols."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
import pytest
from botocore.config import Config

from overcast.testing.server import DUMMY_CREDENTIALS


def unique(prefix: str = "Test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def minute_ago(minutes: int = 1) -> float:
    """A whole-minute epoch `minutes` before the current minute (so data sits in one period)."""
    return (time.time() // 60 - minutes) * 60


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    """The AWS error a boto3 call answers with (fails the test if it succeeds)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return {"Code": response["Error"]["Code"], "Message": response["Error"].get("Message", ""),
            "Status": response["ResponseMetadata"]["HTTPStatusCode"], **response}


def model_dir(root: Path, protocol: str) -> Path:
    """A botocore data directory whose CloudWatch model offers only `protocol` (query or json), so that
    botocore and the AWS CLI speak it instead of smithy-rpc-v2-cbor."""
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    model, path = loader.load_data_with_path("cloudwatch/2010-08-01/service-2")
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    target = root / protocol / "cloudwatch" / "2010-08-01"
    target.mkdir(parents=True, exist_ok=True)
    (target / "service-2.json").write_text(json.dumps(model))
    source = Path(path).parent
    for extra in ("paginators-1.json", "waiters-2.json"):
        for candidate in (source / extra, source / f"{extra}.gz"):
            if candidate.exists():
                data = gzip.decompress(candidate.read_bytes()) if candidate.suffix == ".gz" else candidate.read_bytes()
                (target / extra).write_bytes(data)
    return root / protocol


def client_speaking(server: Any, data_dir: Path, **overrides: Any) -> Any:
    """A boto3 CloudWatch client over the model in `data_dir`."""
    core = botocore.session.get_session()
    core.set_config_variable("data_path", str(data_dir))
    session = boto3.session.Session(botocore_session=core)
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)
    return session.client("cloudwatch", region_name=server.region, endpoint_url=server.url, config=config,
                          **{**DUMMY_CREDENTIALS, **overrides})


def aws(server: Any, *args: str, data_dir: Path | None = None, check: bool = True) -> Any:
    """Run the AWS CLI v1 against `server` (over the model in `data_dir`, if given); its JSON output."""
    env = server.aws_cli_env()
    if data_dir is not None:
        env["AWS_DATA_PATH"] = str(data_dir)
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, *args],
                         env=env, capture_output=True, text=True, timeout=60)
    if not check:
        return out
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}
