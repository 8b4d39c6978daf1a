"""Lambda data transformation: AWS's request records, Ok/Dropped/ProcessingFailed answers, retries
of a failing function, and failed records under the error output prefix as AWS lays them out."""

from __future__ import annotations

import base64
import json

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function
from tests.integration.firehose.helpers import make_bucket, objects, s3_stream, wait_objects

TRANSFORM = """
import base64, json

def handler(event, context):
    assert event["deliveryStreamArn"].startswith("arn:aws:firehose:")
    assert event["region"] == "us-east-1" and event["invocationId"]
    out = []
    for record in event["records"]:
        assert isinstance(record["approximateArrivalTimestamp"], int)
        text = base64.b64decode(record["data"]).decode()
        if text.startswith("drop"):
            out.append({"recordId": record["recordId"], "result": "Dropped"})
        elif text.startswith("bad"):
            out.append({"recordId": record["recordId"], "result": "ProcessingFailed",
                        "data": record["data"]})
        else:
            data = base64.b64encode((text.upper() + "\\n").encode()).decode()
            out.append({"recordId": record["recordId"], "result": "Ok", "data": data})
    return {"records": out}
"""

FAILING = """
def handler(event, context):
    print("attempt")
    raise RuntimeError("cannot transform")
"""


def processing(function_arn, retries=None):
    parameters = [{"ParameterName": "LambdaArn", "ParameterValue": function_arn}]
    if retries is not None:
        parameters.append({"ParameterName": "NumberOfRetries", "ParameterValue": str(retries)})
    return {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": parameters}]}


def test_transform_keeps_ok_drops_dropped_and_fails_processing_failed(aws, firehose, s3):
    lam = aws("lambda")
    function = create_function(lam, TRANSFORM, Timeout=60)
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=0, Prefix="out/", ProcessingConfiguration=processing(arn))
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in (b"one", b"drop me", b"bad x",
                                                                                       b"two")])
    delivered = wait_objects(s3, bucket, prefix="out/", timeout=60)
    assert list(delivered.values()) == [b"ONE\nTWO\n"]
    failed = wait_objects(s3, bucket, prefix="processing-failed/", timeout=30)
    key, body = next(iter(failed.items()))
    assert key.startswith("processing-failed/") and f"/{name}-1-" in key
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert len(lines) == 1
    assert base64.b64decode(lines[0]["rawData"]) == b"bad x"
    assert lines[0]["lambdaArn"] == arn
    assert lines[0]["attemptsMade"] == 1
    assert {"arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp"} <= set(lines[0])


def test_failing_function_is_retried_then_records_go_to_the_error_prefix(aws, firehose, s3):
    lam = aws("lambda")
    logs = aws("logs")
    function = create_function(lam, FAILING, Timeout=60)
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=0, Prefix="ok/", ErrorOutputPrefix="err/!{firehose:error-output-type}/",
                     ProcessingConfiguration=processing(arn, retries=2))
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"payload"})
    failed = wait_objects(s3, bucket, prefix="err/", timeout=60)
    key, body = next(iter(failed.items()))
    assert key.startswith("err/processing-failed/")
    line = json.loads(body)
    assert line["errorCode"] == "Lambda.FunctionError"
    assert line["attemptsMade"] == 3
    assert base64.b64decode(line["rawData"]) == b"payload"
    assert objects(s3, bucket, prefix="ok/") == {}

    def attempts():
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}", filterPattern='"attempt"')["events"]
        return len(events) if len(events) >= 3 else None

    assert wait_until(attempts, timeout=30, what="three invocations") == 3
