"""Dynamic partitioning: one S3 object per partition key set, keys from a jq query or from the
transformation function's `metadata.partitionKeys`, records whose keys cannot be extracted under the
error output prefix, and AWS's checks on the configuration."""

from __future__ import annotations

import base64
import json

import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function
from tests.integration.firehose.helpers import make_bucket, objects, s3_stream

LAMBDA_KEYS = """
import base64, json

def handler(event, context):
    out = []
    for record in event["records"]:
        body = json.loads(base64.b64decode(record["data"]))
        out.append({"recordId": record["recordId"], "result": "Ok", "data": record["data"],
                    "metadata": {"partitionKeys": {"region": body["region"]}}})
    return {"records": out}
"""


def partitioned(**processing):
    return {"DynamicPartitioningConfiguration": {"Enabled": True},
            "ProcessingConfiguration": {"Enabled": True, "Processors": processing["processors"]}}


def wait_keys(s3, bucket, count, prefix=""):
    def ready():
        found = objects(s3, bucket, prefix)
        return found if len(found) >= count else None

    return wait_until(ready, timeout=60, what=f"{count} objects under {prefix!r}")


def test_query_keys_split_objects_and_bad_records_fail(firehose, s3):
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, size=64, interval=0, Prefix="customer=!{partitionKeyFromQuery:customer}/",
                     ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
                     **partitioned(processors=[
                         {"Type": "MetadataExtraction", "Parameters": [
                             {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{customer: .customer}"},
                             {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
                         {"Type": "AppendDelimiterToRecord", "Parameters": []}]))
    records = [{"customer": "a", "n": 1}, {"customer": "b", "n": 2}, {"customer": "a", "n": 3}]
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": json.dumps(r).encode()} for r in records]
                              + [{"Data": b"not json"}])
    found = wait_keys(s3, bucket, 2, prefix="customer=")
    by_customer = {key.split("/", 1)[0]: body for key, body in found.items()}
    assert by_customer == {"customer=a": b'{"customer": "a", "n": 1}\n{"customer": "a", "n": 3}\n',
                           "customer=b": b'{"customer": "b", "n": 2}\n'}
    assert all(f"/{name}-1-" in key for key in found)
    failed = wait_keys(s3, bucket, 1, prefix="errors/partitioning-failed/")
    assert json.loads(next(iter(failed.values())))["errorCode"] == "DynamicPartitioning.MetadataExtractionFailed"


def test_lambda_keys(aws, firehose, s3):
    lam = aws("lambda")
    function = create_function(lam, LAMBDA_KEYS, Timeout=60)
    arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, size=64, interval=0, Prefix="r=!{partitionKeyFromLambda:region}/",
                     ErrorOutputPrefix="errors/",
                     **partitioned(processors=[{"Type": "Lambda", "Parameters": [
                         {"ParameterName": "LambdaArn", "ParameterValue": arn}]}]))
    firehose.put_record_batch(DeliveryStreamName=name, Records=[
        {"Data": json.dumps({"region": region}).encode()} for region in ("eu", "us", "eu")])
    found = wait_keys(s3, bucket, 2, prefix="r=")
    assert sorted(key.split("/", 1)[0] for key in found) == ["r=eu", "r=us"]


def test_configuration_checks(firehose, s3):
    bucket = make_bucket(s3)
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        s3_stream(firehose, bucket, size=64, Prefix="p/", **partitioned(processors=[]))  # no ErrorOutputPrefix
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        s3_stream(firehose, bucket, size=5, Prefix="p/", ErrorOutputPrefix="e/", **partitioned(processors=[]))


def test_record_deaggregation_splits_json_and_delimited_records(firehose, s3):
    bucket = make_bucket(s3)
    deagg = {"Type": "RecordDeAggregation", "Parameters": [{"ParameterName": "SubRecordType", "ParameterValue": "JSON"}]}
    name = s3_stream(firehose, bucket, size=64, interval=0, Prefix="c=!{partitionKeyFromQuery:c}/",
                     ErrorOutputPrefix="errors/", **partitioned(processors=[deagg, {
                         "Type": "MetadataExtraction", "Parameters": [
                             {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{c: .c}"},
                             {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
                         {"Type": "AppendDelimiterToRecord", "Parameters": []}]))
    # one record carrying three JSON objects: each is partitioned on its own
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"c":"x","n":1}{"c":"y","n":2} {"c":"x","n":3}'})
    found = {key.split("/", 1)[0]: body for key, body in wait_keys(s3, bucket, 2, prefix="c=").items()}
    assert found == {"c=x": b'{"c":"x","n":1}\n{"c":"x","n":3}\n', "c=y": b'{"c":"y","n":2}\n'}
    # DELIMITED: the delimiter is given base64-encoded
    bucket2 = make_bucket(s3)
    delimited = {"Type": "RecordDeAggregation", "Parameters": [
        {"ParameterName": "SubRecordType", "ParameterValue": "DELIMITED"},
        {"ParameterName": "Delimiter", "ParameterValue": base64.b64encode(b"|").decode()}]}
    name2 = s3_stream(firehose, bucket2, size=64, interval=0, Prefix="c=!{partitionKeyFromQuery:c}/",
                      ErrorOutputPrefix="errors/", **partitioned(processors=[delimited, {
                          "Type": "MetadataExtraction", "Parameters": [
                              {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{c: .c}"},
                              {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
                          {"Type": "AppendDelimiterToRecord", "Parameters": []}]))
    firehose.put_record(DeliveryStreamName=name2, Record={"Data": b'{"c":"p"}|{"c":"q"}'})
    found2 = {key.split("/", 1)[0]: body for key, body in wait_keys(s3, bucket2, 2, prefix="c=").items()}
    assert found2 == {"c=p": b'{"c":"p"}\n', "c=q": b'{"c":"q"}\n'}
