"""The AWS X-Ray SDK for Python and Powertools Tracer inside a function send their subsegments to
overcast's daemon (AWS_XRAY_DAEMON_ADDRESS, set as Lambda sets it), and BatchGetTraces shows them
under the function's segment, in the invocation's trace.

Neither library is part of the Lambda runtime; as on AWS, they ship as a layer (built here from the
copies installed for the tests)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from overcast.testing import create_function, wait_until

SDK_HANDLER = """
from aws_xray_sdk.core import patch, xray_recorder
import boto3

patch(["botocore"])

def handler(event, context):
    with xray_recorder.in_subsegment("checkout-work") as sub:
        sub.put_annotation("order_id", event["order"])
        boto3.client("sqs").list_queues()
    return {"ok": True}
"""

TRACER_HANDLER = """
from aws_lambda_powertools import Tracer

tracer = Tracer(service="shop")

@tracer.capture_method
def price(order):
    tracer.put_annotation(key="order_id", value=order)
    return 42

@tracer.capture_lambda_handler
def handler(event, context):
    return {"price": price(event["order"])}
"""


def _add_package(archive: zipfile.ZipFile, module) -> None:
    root = Path(module.__file__).parent
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, f"python/{root.name}/{path.relative_to(root)}")


@pytest.fixture(scope="module")
def xray_layer(overcast_server):
    import aws_lambda_powertools
    import aws_xray_sdk
    import typing_extensions
    import wrapt

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in (aws_xray_sdk, wrapt, aws_lambda_powertools):
            _add_package(archive, module)
        archive.write(typing_extensions.__file__, "python/typing_extensions.py")
    lam = overcast_server.client("lambda")
    return lam.publish_layer_version(LayerName=f"xray-{uuid.uuid4().hex[:6]}",
                                     Content={"ZipFile": buffer.getvalue()})["LayerVersionArn"]


def _segments(xray, trace_id):
    traces = xray.batch_get_traces(TraceIds=[trace_id])["Traces"]
    return [json.loads(s["Document"]) for s in traces[0]["Segments"]] if traces else []


def _walk(doc):
    for sub in doc.get("subsegments") or ():
        yield sub
        yield from _walk(sub)


def _invoke_traced(overcast_server, layer, source):
    lam, xray = overcast_server.client("lambda"), overcast_server.client("xray")
    name = create_function(lam, source, Layers=[layer], Timeout=60, TracingConfig={"Mode": "Active"})
    root = f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"
    header = f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled=1"

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = header

    lam.meta.events.register("before-sign.lambda.Invoke", add_header)
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"order": "o-17"}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    return xray, name, root


def test_xray_sdk_subsegments_reach_batch_get_traces(overcast_server, xray_layer):
    xray, name, root = _invoke_traced(overcast_server, xray_layer, SDK_HANDLER)

    def function_segment():
        for doc in _segments(xray, root):
            subs = {s["name"]: s for s in _walk(doc)}
            if doc.get("origin") == "AWS::Lambda::Function" and "checkout-work" in subs:
                return doc, subs
        return None

    doc, subs = wait_until(function_segment, 30)
    assert doc["name"] == name and doc["trace_id"] == root
    assert subs["checkout-work"]["annotations"] == {"order_id": "o-17"}
    sqs_call = next(s for s in _walk(subs["checkout-work"]) if s.get("namespace") == "aws")
    assert sqs_call["name"] == "sqs" and sqs_call["aws"]["operation"] == "ListQueues"  # as the SDK names it
    # the SDK's ListQueues call carried the trace on: overcast's SQS segment hangs under the SDK's subsegment
    sqs_segment = next(d for d in _segments(xray, root) if d["name"] == "SQS")
    assert sqs_segment["parent_id"] == sqs_call["id"]
    found = xray.get_trace_summaries(StartTime=doc["start_time"] - 60, EndTime=doc["end_time"] + 60,
                                     FilterExpression='annotation.order_id = "o-17" AND service("SQS")')
    assert root in [s["Id"] for s in found["TraceSummaries"]]


def test_powertools_tracer_subsegments_reach_batch_get_traces(overcast_server, xray_layer):
    xray, _name, root = _invoke_traced(overcast_server, xray_layer, TRACER_HANDLER)

    def subsegments():
        for doc in _segments(xray, root):
            subs = {s["name"]: s for s in _walk(doc)}
            if "## handler.price" in subs and "## handler" in subs:  # Powertools: `## module.method`
                return subs
        return None

    subs = wait_until(subsegments, 30)
    assert subs["## handler.price"]["annotations"]["order_id"] == "o-17"
    assert subs["## handler.price"]["metadata"]["shop"]["handler.price response"] == 42
    assert subs["## handler"]["annotations"]["ColdStart"] is True
    assert subs["## handler"]["annotations"]["Service"] == "shop"
