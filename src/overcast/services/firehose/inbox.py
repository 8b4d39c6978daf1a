"""Firehose for the rest of overcast (its `ServiceSpec.deliver`):

- records other services send to a delivery stream (EventBridge targets, CloudWatch Logs
  subscriptions, SNS subscriptions): buffered like PutRecord's;
- the stream's own HTTP endpoint requests, recorded by the flusher (`options["FirehoseHttp"]`):
  sent as AWS sends them
  ([request format](https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html)):
  POST, JSON body `{requestId, timestamp, records: [{data}]}`, headers `X-Amz-Firehose-Protocol-Version:
  1.0`, `X-Amz-Firehose-Request-Id`, `X-Amz-Firehose-Source-Arn`, `X-Amz-Firehose-Access-Key`,
  `X-Amz-Firehose-Common-Attributes`; any answer but 200 is a failure, retried for the
  destination's `RetryOptions.DurationInSeconds`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

from overcast.delivery import DeliveryError
from overcast.delivery import http as outgoing
from overcast.platform import Platform
from overcast.services.firehose.models import DeliveryStreams

#: AWS gives an endpoint 3 minutes to answer
HTTP_TIMEOUT = 180.0


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> Any:
    if options.get("FirehoseHttp"):
        return await _send(target_arn, payload, options["FirehoseHttp"])
    streams = platform.component(DeliveryStreams)
    stream = streams.by_arn(target_arn)
    if stream is None:
        name = target_arn.rsplit("/", 1)[-1]
        raise DeliveryError(f"Firehose {name} under account {target_arn.split(':')[4]} not found.",
                            code="ResourceNotFoundException", retryable=False)
    if stream.kind != "DirectPut":
        raise DeliveryError("This operation is not permitted on KinesisStreamAsSource delivery stream type.",
                            code="InvalidArgumentException", retryable=False)
    with platform.db.tx():
        streams.buffer(stream, [payload])
    return None


async def _send(source_arn: str, body: bytes, http: dict[str, Any]) -> tuple[int, str]:
    headers = {"Content-Type": "application/json", "X-Amz-Firehose-Protocol-Version": "1.0",
               "X-Amz-Firehose-Request-Id": http["RequestId"], "X-Amz-Firehose-Source-Arn": source_arn}
    if http.get("AccessKey"):
        headers["X-Amz-Firehose-Access-Key"] = http["AccessKey"]
    if http.get("CommonAttributes"):
        attributes = {a["AttributeName"]: a["AttributeValue"] for a in http["CommonAttributes"]}
        headers["X-Amz-Firehose-Common-Attributes"] = json.dumps({"commonAttributes": attributes})
    if http.get("ContentEncoding") == "GZIP":
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    status, answer = await asyncio.to_thread(outgoing.send, http["Url"], "POST", headers, body, HTTP_TIMEOUT)
    if status != 200:
        error = DeliveryError(f"The HTTP endpoint answered {status}.", code="HttpEndpoint.ResponseFailed")
        error.provider_status = status
        error.provider_response = answer[:1024].decode(errors="replace")
        raise error
    return status, answer.decode(errors="replace")


def stream_exists(platform: Platform, arn: str) -> bool:
    """Whether `arn` names a delivery stream (CloudWatch Logs checks a subscription's destination)."""
    try:
        return platform.component(DeliveryStreams).by_arn(arn) is not None
    except ValueError:
        return False
