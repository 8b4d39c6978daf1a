"""A full disk met while answering an operation: the service's own internal error (the one its
model names, else the common InternalFailure), in its protocol, without a stack trace in the answer
or the log (docs/reliability.md, "A full disk")."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from overcast.gateway import _internal_code
from overcast.protocol.catalog import service_model
from tests.unit.wire import Wire


@pytest.fixture(scope="module")
def wire():
    wire = Wire(validation="as-configured")
    yield wire
    wire.close()


@pytest.mark.parametrize(("service", "op_name", "code"), [
    ("dynamodb", "ListTables", "InternalServerError"),
    ("lambda", "ListFunctions", "ServiceException"),
    ("s3", "ListBuckets", "InternalError"),
    ("sqs", "ListQueues", "InternalFailure"),
    ("sns", "ListTopics", "InternalError"),
])
@pytest.mark.parametrize("full", [
    sqlite3.OperationalError("database or disk is full"),
    OSError(errno.ENOSPC, "No space left on device"),
], ids=["sqlite-full", "enospc"])
def test_a_full_disk_is_the_services_500_in_one_log_line(wire, service, op_name, code, full, caplog):
    exchange = wire.call(service, op_name, {}, error=full)
    assert exchange.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert exchange.response["Error"]["Code"] == code
    assert b"Traceback" not in exchange.http.body and b"disk" not in exchange.http.body
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(("service", "code"), [
    ("dynamodb", "InternalServerError"), ("ssm", "InternalServerError"), ("lambda", "ServiceException"),
    ("sns", "InternalError"), ("s3", "InternalError"), ("secretsmanager", "InternalServiceError"),
    ("events", "InternalException"), ("kms", "KMSInternalException"), ("cognito-idp", "InternalErrorException"),
    ("logs", "InternalServerException"), ("iam", "ServiceFailure"), ("cloudwatch", "InternalServiceError"),
    ("sqs", "InternalFailure"), ("kinesis", "InternalFailure"), ("sts", "InternalFailure"),
])
def test_each_service_answers_its_own_internal_error(service, code):
    assert _internal_code(service_model(service)) == code
