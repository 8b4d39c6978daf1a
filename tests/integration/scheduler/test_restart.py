"""Durable schedules: a one-time schedule due while the server was down fires once after the restart
(AWS delivers at least once; the firing is not lost)."""

from __future__ import annotations

import datetime as dt
import time
import uuid

from overcast.testing import OvercastServer, wait_until


def test_a_firing_due_while_the_server_was_down_happens_after_restart():
    with OvercastServer(time_scale=1.0) as server:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName=f"sch-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        due = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=3)
        name = f"s-{uuid.uuid4().hex[:8]}"
        server.client("scheduler").create_schedule(
            Name=name, ScheduleExpression=f"at({due:%Y-%m-%dT%H:%M:%S})", FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": "after the restart"})
        port = server.port
        server.kill()
        wait_until(lambda: time.time() > due.timestamp() + 1, 30, "the schedule's time passed while down")
        server.port = port
        server.start()
        sqs = server.client("sqs")
        messages: list[dict] = []

        def received() -> bool:
            messages.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []))
            return bool(messages)

        wait_until(received, 30, "the overdue firing")
        assert [m["Body"] for m in messages] == ["after the restart"]
        scheduler = server.client("scheduler")
        wait_until(lambda: not scheduler.list_schedules(NamePrefix=name)["Schedules"], 30, "the schedule completed")
