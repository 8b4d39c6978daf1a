"""Shared bits of the CloudWatch Logs integration tests."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from typing import Any

import botocore.exceptions
import pytest


def unique(prefix: str = "/test/logs") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def now_ms() -> int:
    return int(time.time() * 1000)


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    """The AWS error a boto3 call answers with (fails the test if it succeeds)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return {"Code": response["Error"]["Code"], "Message": response["Error"].get("Message", ""),
            "Status": response["ResponseMetadata"]["HTTPStatusCode"], **response}


def make_stream(logs: Any, group: str | None = None, stream: str = "s1") -> tuple[str, str]:
    group = group or unique()
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    return group, stream


def put(logs: Any, group: str, stream: str, *messages: str, start: int | None = None) -> list[int]:
    """Put messages one millisecond apart (ending about now); their timestamps."""
    base = (start if start is not None else now_ms() - len(messages))
    stamps = [base + i for i in range(len(messages))]
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t, "message": m} for t, m in zip(stamps, messages, strict=True)])
    return stamps


def aws(server: Any, *args: str, check: bool = True) -> Any:
    """Run the AWS CLI against `server`; its JSON output (or the CompletedProcess when check=False)."""
    out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.url, *args],
                         env=server.aws_cli_env(), capture_output=True, text=True, timeout=60)
    if not check:
        return out
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}
