"""A full disk (docs/reliability.md, "A full disk"): a write overcast cannot commit is not
acknowledged (the service's own 5xx in its own protocol, never a 2xx, a stack trace or a hang),
what was acknowledged before stays readable, reads keep working, the server stays up, and once
space is freed writes succeed again without a restart.

Two ways to fill the disk: everywhere, the database capped with `OVERCAST_TESTING_DB_MAX_PAGES`
(SQLite then answers SQLITE_FULL exactly as on a full disk); where a tmpfs can be mounted (root),
a real small filesystem under the whole data dir, which also covers S3's object files and Lambda's
code. The long run under load is `python -m bench.diskfull`; a short one runs here."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from bench import diskfull
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_until

ROLE = "arn:aws:iam::000000000000:role/full-disk"
KEY = [{"AttributeName": "id", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "id", "AttributeType": "S"}]


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", source)
    return buf.getvalue()


def refused(call, *args, **kwargs) -> tuple[str, int]:
    """The AWS error a call was answered with (it must be one botocore reads)."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


class Apps:
    """Clients, and what was acknowledged before the disk filled."""

    def __init__(self, server: OvercastServer) -> None:
        self.sqs = server.client("sqs", retries=0, read_timeout=30)
        self.ddb = server.client("dynamodb", retries=0, read_timeout=30)
        self.s3 = server.client("s3", retries=0, read_timeout=30)
        self.lam = server.client("lambda", retries=0, read_timeout=60)
        self.queue = self.sqs.create_queue(QueueName="kept")["QueueUrl"]
        self.ddb.create_table(TableName="kept", KeySchema=KEY, AttributeDefinitions=ATTRS,
                              BillingMode="PAY_PER_REQUEST")
        self.s3.create_bucket(Bucket="kept")
        self.sqs.send_message(QueueUrl=self.queue, MessageBody="kept")
        self.ddb.put_item(TableName="kept", Item={"id": {"S": "kept"}, "v": {"S": "value"}})
        self.s3.put_object(Bucket="kept", Key="kept", Body=b"kept bytes")
        self.acked: list[tuple[str, str]] = []

    def reads_work(self) -> None:
        assert self.ddb.get_item(TableName="kept", Key={"id": {"S": "kept"}})["Item"]["v"]["S"] == "value"
        assert self.ddb.describe_table(TableName="kept")["Table"]["TableStatus"] == "ACTIVE"
        assert self.s3.get_object(Bucket="kept", Key="kept")["Body"].read() == b"kept bytes"
        assert "kept" in [o["Key"] for o in self.s3.list_objects_v2(Bucket="kept")["Contents"]]
        assert self.queue in self.sqs.list_queues()["QueueUrls"]
        assert self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["All"])["Attributes"]

    def writes_are_refused(self, s3: bool = True) -> None:
        """Writes answer the service's internal error, as botocore reads it. A write may still fit
        in room left inside pages already written (or, on a real disk, in WAL space being reused):
        one acknowledged then must be kept, so each kind is written until refused, and what was
        acknowledged on the way is checked after space is freed."""
        kinds = {
            ("InternalServerError", 500): lambda n: self.ddb.put_item(
                TableName="kept", Item={"id": {"S": f"full-{n}"}, "v": {"S": "v" * 50_000}}),
            ("InternalFailure", 500): lambda n: self.sqs.send_message(
                QueueUrl=self.queue, MessageBody=f"full-{n}" + "m" * 200_000),
        }
        if s3:  # (S3's object files are not in the database: a capped database does not fill them)
            kinds[("InternalError", 500)] = lambda n: self.s3.put_object(Bucket="kept", Key=f"full-{n}",
                                                                         Body=b"b" * 300_000)
        for expected, write in kinds.items():
            for n in range(30):
                try:
                    write(n)
                except ClientError as exc:
                    response = exc.response
                    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == expected
                    break
                self.acked.append((expected[0], f"full-{n}"))
            else:
                raise AssertionError(f"30 writes answered 2xx on a full disk (expected {expected})")

    def acknowledged_are_kept(self) -> None:
        """What was acknowledged while the disk was full is there."""
        bodies = set()
        for _ in range(10):
            for message in self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10,
                                                    VisibilityTimeout=60).get("Messages", []):
                bodies.add(message["Body"][:20].rstrip("m"))
        for code, key in self.acked:
            if code == "InternalServerError":
                assert "Item" in self.ddb.get_item(TableName="kept", Key={"id": {"S": key}}), key
            elif code == "InternalError":
                assert self.s3.get_object(Bucket="kept", Key=key)["Body"].read() == b"b" * 300_000
            else:
                assert key in bodies, (key, bodies)

    def writes_work(self) -> None:
        self.ddb.put_item(TableName="kept", Item={"id": {"S": "after"}, "v": {"S": "v" * 50_000}})
        self.sqs.send_message(QueueUrl=self.queue, MessageBody="m" * 200_000)
        self.s3.put_object(Bucket="kept", Key="after", Body=b"b" * 300_000)
        assert self.ddb.get_item(TableName="kept", Key={"id": {"S": "after"}})["Item"]["v"]["S"] == "v" * 50_000
        assert self.s3.get_object(Bucket="kept", Key="after")["Body"].read() == b"b" * 300_000


def no_stack_trace(server: OvercastServer) -> None:
    text = server.log_text()
    assert "Traceback" not in text, text[-4000:]
    assert "the data dir's disk is full" in text  # said once in a while, in one line


def test_a_capped_database_refuses_writes_keeps_reads_and_recovers_without_a_restart():
    """Portable: no root needed. The cap leaves about 2.5 MB above what start-up takes."""
    with OvercastServer(env={"OVERCAST_TESTING_DB_MAX_PAGES": "1000"}) as server:
        apps = Apps(server)
        apps.ddb.create_table(TableName="filler", KeySchema=KEY, AttributeDefinitions=ATTRS,
                              BillingMode="PAY_PER_REQUEST")
        n = 0
        for size in (350_000, 40_000, 4_000, 400, 1):  # fill down to the last free page
            while True:
                try:
                    apps.ddb.put_item(TableName="filler", Item={"id": {"S": str(n)}, "pad": {"S": "f" * size}})
                except ClientError as exc:
                    assert exc.response["Error"]["Code"] == "InternalServerError"
                    assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 500
                    break
                n += 1
                assert n < 2000, "the cap was never reached"
        apps.writes_are_refused(s3=False)
        apps.reads_work()
        # freeing space: the filler's rows go, and their pages take new writes
        apps.ddb.delete_table(TableName="filler")
        apps.writes_work()
        apps.reads_work()
        apps.acknowledged_are_kept()
        assert server.alive
        no_stack_trace(server)


@pytest.fixture
def tmpfs(tmp_path):
    """A 24 MiB tmpfs at tmp_path/mnt (skipped where mounting is not allowed)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    why = diskfull.mount_tmpfs(mount, 24)
    if why is not None:
        pytest.skip(f"a real full disk needs a small filesystem: {why} (the capped-database test covers CI)")
    yield mount
    diskfull.unmount(mount)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


WAIT_MACHINE = json.dumps({"StartAt": "Wait", "States": {
    "Wait": {"Type": "Wait", "Seconds": 300, "Next": "Done"}, "Done": {"Type": "Pass", "End": True}}})


def test_a_full_filesystem_refuses_writes_keeps_reads_and_recovers_without_a_restart(tmpfs, tmp_path):
    server = OvercastServer(data_dir=tmpfs, time_scale=0.01)  # a 5-minute Wait takes 3 s; a rate(1 minute) 0.6 s
    server.log_path = tmp_path / "server.log"  # the log stays off the full filesystem
    with server:
        apps = Apps(server)
        apps.lam.create_function(FunctionName="echo", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                 Code={"ZipFile": _zip("def handler(event, context):\n    return event\n")})
        # background work running when the disk fills: a schedule firing into a queue, an execution waiting
        ticks = apps.sqs.create_queue(QueueName="ticks")["QueueUrl"]
        ticks_arn = apps.sqs.get_queue_attributes(QueueUrl=ticks, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        server.client("scheduler").create_schedule(
            Name="tick", ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": ticks_arn, "RoleArn": ROLE, "Input": "tick"})
        sfn = server.client("stepfunctions")
        machine = sfn.create_state_machine(name="waits", definition=WAIT_MACHINE, roleArn=ROLE)["stateMachineArn"]
        assert wait_until(lambda: apps.sqs.receive_message(QueueUrl=ticks).get("Messages"), timeout=30)
        execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        files = tmpfs / "state" / "files"
        s3_before = files_under(files / "s3")
        diskfull.fill(tmpfs)
        apps.writes_are_refused()
        # the refused upload's file is gone (a full disk keeps no partial object)
        assert files_under(files / "s3") == s3_before
        # new code cannot be stored: the service's 5xx, not "Could not unzip", and no partial upload
        code = _zip("def handler(event, context):\n    return 'new'\n" + "#" * 2_000_000)
        assert refused(apps.lam.create_function, FunctionName="late", Runtime="python3.12", Role=ROLE,
                       Handler="index.handler", Code={"ZipFile": code}) == ("ServiceException", 500)
        leftovers = [p for p in files_under(files / "lambda") if "/.upload-" in p or "/.extract-" in p]
        assert leftovers == []
        apps.reads_work()
        # the execution's Wait ends while the disk is full: it pauses, and is not failed
        assert wait_until(lambda: f"execution {execution} paused" in server.log_text(), timeout=60)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
        os.unlink(tmpfs / "filler")
        apps.writes_work()
        assert wait_until(lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING", timeout=60)
        assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
        # the schedule kept its place: it fires again now that its firings can be recorded
        apps.sqs.purge_queue(QueueUrl=ticks)
        assert wait_until(lambda: apps.sqs.receive_message(QueueUrl=ticks).get("Messages"), timeout=30)
        apps.lam.create_function(FunctionName="late", Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                 Code={"ZipFile": code})
        assert apps.lam.invoke(FunctionName="echo", Payload=b'{"a": 1}')["Payload"].read() == b'{"a": 1}'
        apps.reads_work()
        apps.acknowledged_are_kept()
        assert server.alive
        no_stack_trace(server)


def test_a_short_run_under_load_loses_nothing_acknowledged():
    """bench/diskfull.py for 24 s: on a tmpfs where one can be mounted, else on a capped database."""
    mode = "tmpfs" if os.geteuid() == 0 and shutil.which("mount") else "pages"
    try:
        report = diskfull.run(mode=mode, size_mb=32, duration=24, rate=2, settle_timeout=90)
    except RuntimeError as exc:  # root, but mounting is refused (a container without CAP_SYS_ADMIN)
        report = diskfull.run(mode="pages", duration=24, rate=2, settle_timeout=90)
        report["tmpfs_refused"] = str(exc)
    assert sum(report["refused"].values()) > 0, report  # the disk did fill
    assert report["refused_not_5xx"] == {} and report["broken"] == {}, report
    assert not any(report["lost"].values()), report["lost_sample"]
    assert report["server_alive"] and report["tracebacks_logged"] == 0, report
    assert report["ok"], report
