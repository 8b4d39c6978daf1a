"""Response streaming: InvokeWithResponseStream and function URLs in RESPONSE_STREAM mode deliver a
streamified Node.js handler's chunks as it writes them. Each handler here writes a first chunk,
then waits for the test to have *received* it (a marker file) before writing the rest: a response
that was buffered would never get there, and the function would time out."""

from __future__ import annotations

import base64
import json

import httpx

from overcast.testing import create_function
from tests.integration.lambda_.polyglot import needs_node

STREAMER = """
import fs from "node:fs";
const received = (marker) => new Promise((resolve) => {
  const timer = setInterval(() => { if (fs.existsSync(marker)) { clearInterval(timer); resolve(); } }, 5);
});
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  let stream = responseStream;
  if (event.http) {
    stream = awslambda.HttpResponseStream.from(responseStream, {statusCode: 203, headers: {"X-Kind": "streamed"}});
  } else {
    responseStream.setContentType("text/plain");
  }
  stream.write("first;");
  await received(event.marker || event.queryStringParameters.marker);
  stream.write("second;");
  if (event.fail) throw new Error("failed mid-stream");
  stream.end("last");
});
"""


@needs_node
def test_invoke_with_response_stream_delivers_chunks_as_written(lam, tmp_path):
    name = create_function(lam, STREAMER, runtime="nodejs22.x", Timeout=10)
    marker = tmp_path / "received"
    response = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps({"marker": str(marker)}))
    assert response["ResponseStreamContentType"] == "text/plain"
    assert response["ExecutedVersion"] == "$LATEST"
    events = iter(response["EventStream"])
    assert next(events) == {"PayloadChunk": {"Payload": b"first;"}}
    marker.touch()
    rest = list(events)
    payload = b"".join(e["PayloadChunk"]["Payload"] for e in rest if "PayloadChunk" in e)
    assert payload == b"second;last"
    assert rest[-1] == {"InvokeComplete": {}}


@needs_node
def test_an_error_mid_stream_ends_it_with_the_error(lam, tmp_path):
    name = create_function(lam, STREAMER, runtime="nodejs22.x", Timeout=10)
    marker = tmp_path / "received"
    marker.touch()
    response = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps(
        {"marker": str(marker), "fail": True}))
    events = list(response["EventStream"])
    assert b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e) == b"first;second;"
    assert events[-1] == {"InvokeComplete": {"ErrorCode": "Error", "ErrorDetails": "failed mid-stream"}}


@needs_node
def test_an_error_mid_stream_on_a_warm_environment_keeps_every_chunk(lam, tmp_path):
    # The environment has served an invocation already: the runtime's connection is warm.
    name = create_function(lam, STREAMER, runtime="nodejs22.x", Timeout=10)
    marker = tmp_path / "received"
    marker.touch()
    warm = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps({"marker": str(marker)}))
    assert list(warm["EventStream"])[-1] == {"InvokeComplete": {}}
    response = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps(
        {"marker": str(marker), "fail": True}))
    events = list(response["EventStream"])
    assert b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e) == b"first;second;"
    assert events[-1] == {"InvokeComplete": {"ErrorCode": "Error", "ErrorDetails": "failed mid-stream"}}


@needs_node
def test_chunks_written_just_before_a_throw_are_delivered_before_the_error(lam):
    # Writes the runtime has not flushed yet when the handler throws (back to back, in the same
    # tick) are still part of the stream: AWS's runtime ends the stream after them, then the error.
    name = create_function(lam, """
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          responseStream.write("a;");
          responseStream.write("b;");
          responseStream.write("c;");
          throw new TypeError("thrown after three writes");
        });
    """, runtime="nodejs22.x", Timeout=10)
    for _ in range(2):   # a cold environment, then the same environment warm
        events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
        assert b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e) == b"a;b;c;"
        assert events[-1] == {"InvokeComplete": {"ErrorCode": "TypeError",
                                                 "ErrorDetails": "thrown after three writes"}}


def test_a_function_that_does_not_stream_answers_in_one_chunk(lam):
    name = create_function(lam, "def handler(event, context):\n    return {'whole': True}\n")
    events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}", LogType="Tail")["EventStream"])
    assert events[0] == {"PayloadChunk": {"Payload": b'{"whole": true}'}}
    assert "REPORT RequestId" in base64.b64decode(events[1]["InvokeComplete"]["LogResult"]).decode()


@needs_node
def test_function_url_in_response_stream_mode(lam, tmp_path):
    name = create_function(lam, STREAMER, runtime="nodejs22.x", Timeout=10)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                         InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
    marker = tmp_path / "received"
    with httpx.stream("GET", url, params={"marker": str(marker)}, timeout=30) as response:
        chunks = response.iter_raw()
        assert response.status_code == 200 and response.headers["content-type"] == "text/plain"
        assert next(chunks) == b"first;"
        marker.touch()
        assert b"".join(chunks) == b"second;last"


@needs_node
def test_function_url_stream_with_http_prelude(lam, tmp_path):
    source = STREAMER.replace("if (event.http)", "if (event.queryStringParameters)")
    name = create_function(lam, source, runtime="nodejs22.x", Timeout=10)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                         InvokeMode="RESPONSE_STREAM")["FunctionUrl"]
    marker = tmp_path / "received"
    marker.touch()
    response = httpx.get(url, params={"marker": str(marker)}, timeout=30)
    assert response.status_code == 203 and response.headers["x-kind"] == "streamed"
    assert response.content == b"first;second;last"


@needs_node
def test_a_stream_may_exceed_the_buffered_response_limit(lam):
    name = create_function(lam, """
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          for (let i = 0; i < 7; i++) responseStream.write(Buffer.alloc(1024 * 1024, 97 + i));
          responseStream.end();
        });
    """, runtime="nodejs22.x", MemorySize=512, Timeout=30)
    events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
    payload = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert len(payload) == 7 * 1024 * 1024 and payload.endswith(b"g" * 10)
    assert events[-1] == {"InvokeComplete": {}}


@needs_node
def test_a_buffered_function_url_does_not_read_the_http_prelude(lam, tmp_path):
    # A BUFFERED URL invokes with Invoke, which answers with the stream's bytes as they are: the
    # prelude, its eight NUL bytes and the body. The URL reads that payload as any other function
    # result (payload format 2.0); it is not JSON, so the prelude's status and headers are not used.
    source = STREAMER.replace("if (event.http)", "if (event.queryStringParameters || event.http)")
    name = create_function(lam, source, runtime="nodejs22.x", Timeout=10)
    marker = tmp_path / "received"
    marker.touch()
    raw = lam.invoke(FunctionName=name, Payload=json.dumps({"marker": str(marker), "http": True}))["Payload"].read()
    prelude, separator, body = raw.partition(b"\0" * 8)
    assert json.loads(prelude) == {"statusCode": 203, "headers": {"X-Kind": "streamed"}}
    assert separator and body == b"first;second;last"
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="BUFFERED")["FunctionUrl"]
    response = httpx.get(url, params={"marker": str(marker)}, timeout=30)
    assert response.status_code == 502 and "x-kind" not in response.headers


@needs_node
def test_a_buffered_function_url_reads_a_streamed_json_response(lam):
    # The same rule the other way round: streamed bytes that form a payload-format-2.0 response are
    # answered as one when the URL is BUFFERED.
    name = create_function(lam, """
        export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
          responseStream.write('{"statusCode": 201, ');
          responseStream.end('"headers": {"X-Kind": "json"}, "body": "made of chunks"}');
        });
    """, runtime="nodejs22.x", Timeout=10)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="BUFFERED")["FunctionUrl"]
    response = httpx.get(url, timeout=30)
    assert response.status_code == 201 and response.headers["x-kind"] == "json"
    assert response.text == "made of chunks"
