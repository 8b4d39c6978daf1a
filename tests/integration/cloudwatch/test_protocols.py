"""The wire itself: AWS CLI v1 over the query protocol, raw awsJson1_0 and smithy-rpc-v2-cbor requests,
durability across a restart, and the admin reset."""

import json
import time

import cbor2
import httpx

from overcast.testing import OvercastServer
from tests.integration.cloudwatch.helpers import aws, minute_ago, unique

SCOPE = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0"


def test_aws_cli_over_the_query_protocol(overcast_server, model_dirs):
    ns = unique("Cli")
    query = model_dirs["query"]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(minute_ago(2)))
    aws(overcast_server, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-name", "Orders",
        "--dimensions", "Shop=eu", "--value", "3", "--unit", "Count", "--timestamp", stamp, data_dir=query)
    aws(overcast_server, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data",
        json.dumps([{"MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": "eu"}], "Timestamp": stamp,
                     "Values": [1, 2], "Counts": [1, 2], "Unit": "Count"}]), data_dir=query)
    listed = aws(overcast_server, "cloudwatch", "list-metrics", "--namespace", ns, data_dir=query)["Metrics"]
    assert listed == [{"Namespace": ns, "MetricName": "Orders", "Dimensions": [{"Name": "Shop", "Value": "eu"}]}]
    got = aws(overcast_server, "cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Orders",
              "--dimensions", "Name=Shop,Value=eu", "--start-time", stamp, "--end-time",
              time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(minute_ago(0) + 60)), "--period", "60",
              "--statistics", "Sum", "SampleCount", data_dir=query)
    [point] = got["Datapoints"]
    assert (point["Sum"], point["SampleCount"], point["Unit"]) == (8.0, 4.0, "Count")
    failed = aws(overcast_server, "cloudwatch", "get-dashboard", "--dashboard-name", unique("none"),
                 data_dir=query, check=False)
    assert failed.returncode != 0 and "ResourceNotFound" in failed.stderr and "does not exist" in failed.stderr
    # and the CLI as installed (it picks awsJson1_0 from the model's protocols)
    assert aws(overcast_server, "cloudwatch", "list-metrics", "--namespace", ns)["Metrics"] == listed


def test_raw_json_protocol_request(overcast_server):
    ns = unique("Raw")
    headers = {"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData",
               "Content-Type": "application/x-amz-json-1.0", "Authorization": SCOPE}
    body = {"Namespace": ns, "MetricData": [{"MetricName": "M", "Value": 2.5, "Timestamp": minute_ago(1)}]}
    response = httpx.post(overcast_server.url, headers=headers, content=json.dumps(body))
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-amz-json-1.0"
    headers["X-Amz-Target"] = "GraniteServiceVersion20100801.ListMetrics"
    listed = httpx.post(overcast_server.url, headers=headers, content=json.dumps({"Namespace": ns})).json()
    assert listed["Metrics"] == [{"Namespace": ns, "MetricName": "M", "Dimensions": []}]
    headers["X-Amz-Target"] = "GraniteServiceVersion20100801.GetDashboard"
    missing = httpx.post(overcast_server.url, headers=headers, content=json.dumps({"DashboardName": "nope"}))
    assert missing.status_code == 404
    assert missing.json()["__type"] == "ResourceNotFound"
    assert missing.headers["x-amzn-query-error"] == "ResourceNotFound;Sender"


def test_raw_smithy_rpc_v2_cbor_request(overcast_server):
    ns = unique("Cbor")
    url = f"{overcast_server.url}/service/GraniteServiceVersion20100801/operation/"
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor",
               "Authorization": SCOPE}
    body = {"Namespace": ns, "MetricData": [{"MetricName": "M", "Value": 4.0,
                                             "Timestamp": cbor2.CBORTag(1, minute_ago(1))}]}
    put = httpx.post(url + "PutMetricData", headers=headers, content=cbor2.dumps(body))
    assert put.status_code == 200 and put.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert put.headers["content-type"] == "application/cbor"
    listed = httpx.post(url + "ListMetrics", headers=headers, content=cbor2.dumps({"Namespace": ns}))
    assert cbor2.loads(listed.content)["Metrics"] == [{"Namespace": ns, "MetricName": "M", "Dimensions": []}]
    bad = httpx.post(url + "PutMetricData", headers=headers,
                     content=cbor2.dumps({"Namespace": "AWS/Lambda", "MetricData": [{"MetricName": "M", "Value": 1.0}]}))
    assert bad.status_code == 400 and bad.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert cbor2.loads(bad.content)["__type"] == "InvalidParameterValueException"
    assert bad.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    unknown = httpx.post(url + "Nope", headers=headers, content=cbor2.dumps({}))
    assert unknown.status_code == 404


def test_data_points_survive_a_restart_and_reset_clears_them():
    with OvercastServer() as server:
        cw = server.client("cloudwatch")
        t = minute_ago(2)
        cw.put_metric_data(Namespace="Durable", MetricData=[{"MetricName": "M", "Value": 6, "Timestamp": t}])
        cw.put_dashboard(DashboardName="keep", DashboardBody=json.dumps({"widgets": []}))
        server.restart(crash=True)
        cw = server.client("cloudwatch")
        got = cw.get_metric_statistics(Namespace="Durable", MetricName="M", StartTime=t, EndTime=t + 60,
                                       Period=60, Statistics=["Sum"])
        assert [p["Sum"] for p in got["Datapoints"]] == [6.0]
        assert cw.get_dashboard(DashboardName="keep")["DashboardName"] == "keep"
        server.reset()
        assert cw.list_metrics(Namespace="Durable")["Metrics"] == []
        cw.put_metric_data(Namespace="Durable", MetricData=[{"MetricName": "M", "Value": 1, "Timestamp": t}])
        got = cw.get_metric_statistics(Namespace="Durable", MetricName="M", StartTime=t, EndTime=t + 60,
                                       Period=60, Statistics=["Sum"])
        assert [p["Sum"] for p in got["Datapoints"]] == [1.0]


def test_malformed_requests_get_errors_not_failures(overcast_server):
    url = f"{overcast_server.url}/service/GraniteServiceVersion20100801/operation/PutMetricData"
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Authorization": SCOPE}
    garbage = httpx.post(url, headers=headers, content=b"\xff\x00not cbor")
    assert garbage.status_code == 400 and cbor2.loads(garbage.content)["__type"] == "SerializationException"
    wrong_type = httpx.post(url, headers=headers, content=cbor2.dumps({"Namespace": 5, "MetricData": []}))
    assert wrong_type.status_code == 400
    json_headers = {"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData",
                    "Content-Type": "application/x-amz-json-1.0", "Authorization": SCOPE}
    bad_json = httpx.post(overcast_server.url, headers=json_headers, content=b"{nope")
    assert bad_json.status_code == 400 and bad_json.json()["__type"] == "SerializationException"
    bad_values = httpx.post(overcast_server.url, headers=json_headers, content=json.dumps(
        {"Namespace": "N", "MetricData": [{"MetricName": "M", "Values": ["x"]}]}))
    assert bad_values.status_code == 400 and bad_values.json()["__type"] == "InvalidParameterValueException"
    assert bad_values.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Authorization": SCOPE}
    unknown = httpx.post(overcast_server.url, headers=form, content=b"Action=Nope&Version=2010-08-01")
    assert unknown.status_code == 400 and b"<Code>InvalidAction</Code>" in unknown.content
