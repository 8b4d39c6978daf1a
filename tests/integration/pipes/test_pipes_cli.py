"""The AWS CLI drives pipes unchanged: create, describe, stop, and AWS's error on a missing pipe."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.logs.helpers import aws
from tests.integration.pipes.test_pipes_sqs import ROLE, queue


def test_the_cli_creates_describes_and_stops_a_pipe(overcast_server):
    sqs = overcast_server.client("sqs")
    _, source = queue(sqs)
    _, target = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    created = aws(overcast_server, "pipes", "create-pipe", "--name", name, "--source", source, "--target", target,
                  "--role-arn", ROLE, "--source-parameters", json.dumps({"SqsQueueParameters": {"BatchSize": 3}}))
    assert created["CurrentState"] == "CREATING"
    wait_until(lambda: aws(overcast_server, "pipes", "describe-pipe", "--name", name)["CurrentState"] == "RUNNING",
               30, "the pipe running")
    described = aws(overcast_server, "pipes", "describe-pipe", "--name", name)
    assert described["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 3}}
    assert aws(overcast_server, "pipes", "stop-pipe", "--name", name)["DesiredState"] == "STOPPED"
    missing = aws(overcast_server, "pipes", "describe-pipe", "--name", "no-such-pipe", check=False)
    assert missing.returncode != 0
    assert "NotFoundException" in missing.stderr and "Pipe no-such-pipe does not exist." in missing.stderr
