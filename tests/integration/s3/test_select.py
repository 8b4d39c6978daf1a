"""S3 Select (issue 15): SelectObjectContent with SQL over CSV and JSON objects, through boto3's
event stream."""

from __future__ import annotations

import gzip
import json

import pytest
from botocore.exceptions import ClientError

PEOPLE = b"name,age,city\nalice,30,paris\nbob,25,rome\ncarol,41,paris\n"


def _select(s3, bucket, key, sql, input_serialization, output=None):
    answer = s3.select_object_content(Bucket=bucket, Key=key, Expression=sql, ExpressionType="SQL",
                                      InputSerialization=input_serialization,
                                      OutputSerialization=output or {"CSV": {}})
    records, stats, ended = b"", None, False
    for event in answer["Payload"]:
        if "Records" in event:
            records += event["Records"]["Payload"]
        elif "Stats" in event:
            stats = event["Stats"]["Details"]
        elif "End" in event:
            ended = True
    assert ended and stats is not None
    return records, stats


def test_csv_with_header(s3, bucket):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=PEOPLE)
    csv_in = {"CSV": {"FileHeaderInfo": "USE"}}
    records, stats = _select(s3, bucket, "people.csv",
                             "SELECT s.name FROM S3Object s WHERE CAST(s.age AS INT) > 26", csv_in)
    assert records == b"alice\ncarol\n"
    assert stats == {"BytesScanned": len(PEOPLE), "BytesProcessed": len(PEOPLE), "BytesReturned": len(records)}
    records, _ = _select(s3, bucket, "people.csv", "SELECT COUNT(*) FROM S3Object s WHERE s.city = 'paris'", csv_in)
    assert records == b"2\n"
    records, _ = _select(s3, bucket, "people.csv", "SELECT s._1, s._3 FROM S3Object s LIMIT 1",
                         {"CSV": {"FileHeaderInfo": "IGNORE"}}, {"JSON": {}})
    assert json.loads(records) == {"_1": "alice", "_3": "paris"}
    records, _ = _select(s3, bucket, "people.csv",
                         "SELECT UPPER(s.name) AS n FROM S3Object s WHERE s.name LIKE '%o%'", csv_in, {"JSON": {}})
    assert [json.loads(line) for line in records.splitlines()] == [{"n": "BOB"}, {"n": "CAROL"}]


def test_json_lines_and_document(s3, bucket):
    lines = b'{"a": {"b": 1}, "id": "x"}\n{"a": {"b": 2}, "id": "y"}\n'
    s3.put_object(Bucket=bucket, Key="l.json.gz", Body=gzip.compress(lines))
    records, _ = _select(s3, bucket, "l.json.gz", "SELECT s.id FROM S3Object s WHERE s.a.b >= 2",
                         {"JSON": {"Type": "LINES"}, "CompressionType": "GZIP"}, {"JSON": {}})
    assert json.loads(records) == {"id": "y"}
    s3.put_object(Bucket=bucket, Key="d.json", Body=b'{"items": [{"n": 1}, {"n": 2}, {"n": 3}]}')
    records, _ = _select(s3, bucket, "d.json", "SELECT * FROM S3Object[*].items[*] s WHERE s.n IN (1, 3)",
                         {"JSON": {"Type": "DOCUMENT"}}, {"JSON": {}})
    assert [json.loads(line) for line in records.splitlines()] == [{"n": 1}, {"n": 3}]


def test_bad_query(s3, bucket):
    s3.put_object(Bucket=bucket, Key="p.csv", Body=PEOPLE)
    with pytest.raises(ClientError) as caught:
        _select(s3, bucket, "p.csv", "SELECT FROM", {"CSV": {}})
    assert caught.value.response["Error"]["Code"] == "ParseUnexpectedToken"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
