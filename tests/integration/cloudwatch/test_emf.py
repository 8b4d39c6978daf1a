"""The embedded metric format: lines a function logs in EMF become metrics (and stay in the log),
from the real Powertools Metrics utility in Python and from the aws-embedded-metrics shape in Node.js."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import needs_node

POWERTOOLS = """
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

metrics = Metrics()

@metrics.log_metrics
def handler(event, context):
    metrics.add_dimension(name="channel", value="web")
    metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=event["orders"])
    metrics.add_metric(name="BasketSize", unit=MetricUnit.Count, value=3)
    return "ok"
"""

NODE_EMF = """
exports.handler = async (event) => {
  console.log(JSON.stringify({
    _aws: {Timestamp: Date.now(), CloudWatchMetrics: [{Namespace: process.env.NS,
      Dimensions: [["Service"], []], Metrics: [{Name: "Latency", Unit: "Milliseconds"}]}]},
    Service: "checkout", Latency: [12, 30, 30],
  }));
  console.log(JSON.stringify({_aws: {Timestamp: Date.now(), CloudWatchMetrics: [{Namespace: process.env.NS,
    Dimensions: [["Missing"]], Metrics: [{Name: "Ignored"}]}]}, Ignored: 1}));
  return "ok";
};
"""


@pytest.fixture(scope="module")
def powertools_layer(overcast_server):
    import aws_lambda_powertools
    import typing_extensions

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        root = Path(aws_lambda_powertools.__file__).parent
        for path in root.rglob("*.py"):
            archive.write(path, f"python/aws_lambda_powertools/{path.relative_to(root)}")
        archive.write(typing_extensions.__file__, "python/typing_extensions.py")
    lam = overcast_server.client("lambda")
    return lam.publish_layer_version(LayerName=f"powertools-{uuid.uuid4().hex[:6]}",
                                     Content={"ZipFile": buffer.getvalue()})["LayerVersionArn"]


def query(cw: Any, namespace: str, name: str, dims: dict[str, str], stat: str) -> list[float]:
    now = time.time()
    result = cw.get_metric_data(MetricDataQueries=[{"Id": "m", "MetricStat": {
        "Metric": {"Namespace": namespace, "MetricName": name,
                   "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]},
        "Period": 900, "Stat": stat}}], StartTime=datetime.fromtimestamp(now - 600, UTC),
        EndTime=datetime.fromtimestamp(now + 120, UTC))["MetricDataResults"][0]
    return list(result["Values"])


def test_powertools_metrics_reach_get_metric_data(overcast_server, powertools_layer):
    lam, cw, logs = (overcast_server.client(s) for s in ("lambda", "cloudwatch", "logs"))
    namespace = f"Shop{uuid.uuid4().hex[:6]}"
    name = create_function(lam, POWERTOOLS, Layers=[powertools_layer], Timeout=30, Environment={"Variables": {
        "POWERTOOLS_METRICS_NAMESPACE": namespace, "POWERTOOLS_SERVICE_NAME": "orders"}})
    for orders in (2, 5):
        lam.invoke(FunctionName=name, Payload=f'{{"orders": {orders}}}'.encode())
    dims = {"service": "orders", "channel": "web"}
    values = wait_until(lambda: query(cw, namespace, "OrdersPlaced", dims, "Sum") or None, 30, "OrdersPlaced")
    assert values == [7.0]
    assert query(cw, namespace, "OrdersPlaced", dims, "SampleCount") == [2.0]
    assert query(cw, namespace, "BasketSize", dims, "Maximum") == [3.0]
    # the line stays in the function's log
    def emf_lines() -> list[str] | None:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="OrdersPlaced")["events"]
        return [e["message"] for e in events] if len(events) >= 2 else None

    assert all('"_aws"' in line for line in wait_until(emf_lines, 30, "the EMF lines in the log"))


@needs_node
def test_node_embedded_metrics_shape(overcast_server):
    lam, cw = overcast_server.client("lambda"), overcast_server.client("cloudwatch")
    namespace = f"Node{uuid.uuid4().hex[:6]}"
    name = create_function(lam, NODE_EMF, runtime="nodejs22.x", Environment={"Variables": {"NS": namespace}})
    lam.invoke(FunctionName=name)
    by_service = wait_until(lambda: query(cw, namespace, "Latency", {"Service": "checkout"}, "SampleCount") or None,
                            30, "Latency by Service")
    assert by_service == [3.0]
    assert query(cw, namespace, "Latency", {"Service": "checkout"}, "Sum") == [72.0]
    assert query(cw, namespace, "Latency", {}, "Maximum") == [30.0]   # the empty dimension set
    # a directive naming a dimension the line lacks is not EMF: nothing is extracted from it
    assert cw.list_metrics(Namespace=namespace, MetricName="Ignored")["Metrics"] == []
