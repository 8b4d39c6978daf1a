"""The segment of one AWS API call overcast answers: which node of the service graph it is, and the
resource it touched (the queue, table, topic, bus, function, bucket or stream named in the request).

X-Ray's SDKs record such a call as a subsegment named after the service with an `aws` block
(operation, region, request id, the resource's name); overcast records it as a segment of its own,
whose parent is the caller's `Parent` (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html#api-segmentdocuments-aws).
"""

from __future__ import annotations

from typing import Any

from overcast import tracing

#: operations whose hop Lambda records itself (the AWS::Lambda segment of the invocation)
SELF_TRACED = {("lambda", "Invoke"), ("lambda", "InvokeAsync"), ("lambda", "InvokeWithResponseStream")}


def resource_arn(service: str, params: dict[str, Any], account: str, region: str) -> str | None:
    """The ARN of the resource an API call names, when it names one."""
    if service == "sqs":
        name = params.get("QueueUrl") or params.get("QueueName")
        if isinstance(name, str):
            return f"arn:aws:sqs:{region}:{account}:{name.rstrip('/').rsplit('/', 1)[-1]}"
    if service == "dynamodb":
        name = params.get("TableName")
        if not name and isinstance(params.get("RequestItems"), dict) and params["RequestItems"]:
            name = next(iter(params["RequestItems"]))
        if isinstance(name, str):
            return name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"
    if service == "sns":
        found = params.get("TopicArn") or params.get("TargetArn")
        return found if isinstance(found, str) else None
    if service == "events":
        entries = params.get("Entries")
        bus = params.get("EventBusName") or params.get("Name")
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            bus = entries[0].get("EventBusName") or "default"
        if isinstance(bus, str):
            return bus if bus.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{bus}"
    if service == "lambda" and isinstance(params.get("FunctionName"), str):
        name = params["FunctionName"]
        return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
    if service == "s3" and isinstance(params.get("Bucket"), str):
        return f"arn:aws:s3:::{params['Bucket']}"
    if service == "kinesis":
        if isinstance(params.get("StreamARN"), str):
            return str(params["StreamARN"])
        if isinstance(params.get("StreamName"), str):
            return f"arn:aws:kinesis:{region}:{account}:stream/{params['StreamName']}"
    return None


def api_segment(*, service: str, operation: str, trace_id: str, seg_id: str, parent_id: str | None,
                start: float, end: float, status: int, account: str, region: str, request_id: str,
                resource: str | None) -> dict[str, Any]:
    """The segment document of one API call."""
    name, origin = tracing.SERVICE_NODES.get(service, (service, f"AWS::{service}"))
    aws: dict[str, Any] = {"operation": operation, "region": region, "request_id": request_id,
                           "account_id": account}
    if resource:
        aws["resource_arn"] = resource
        aws["resource_names"] = [resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1]]
    return tracing.segment(name=name, origin=origin, trace_id=trace_id, seg_id=seg_id, parent_id=parent_id,
                           start=start, end=end, status=status, aws=aws)
