"""SQS's legacy query protocol, derived from botocore's current (json) SQS model.

SQS moved from the query protocol to json in botocore 1.31.81/1.34.91; older SDKs (boto3 before
that, the Java v1 SDK, many other languages) still send form-encoded `Action=SendMessage&...` and
read XML. The current model lost the query serialization hints (flattened lists and maps, element
names like `Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`) and the legacy error codes
(`AWS.SimpleQueueService.NonExistentQueue`). `query_legacy.json` holds exactly those hints, taken
from botocore 1.34.80 (the last release with the query model); they are merged onto the current
model, so operations and members added since keep working in both protocols and the generic query
parser/serializer needs no SQS-specific code.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from botocore.model import ServiceModel

from overcast.edge.messages import Request
from overcast.protocol.catalog import _loader

_OVERLAY = Path(__file__).with_name("query_legacy.json")


def _merge(shape: dict[str, Any], hints: dict[str, Any]) -> None:
    for key, value in hints.items():
        if key == "members":
            for member, member_hints in value.items():
                if member in shape.get("members", {}):
                    shape["members"][member].update(member_hints)
        elif key in ("member", "key", "value"):
            shape[key].update(value)
        else:
            shape[key] = value


@lru_cache(maxsize=1)
def query_model() -> ServiceModel:
    """The SQS model as the query protocol speaks it."""
    overlay = json.loads(_OVERLAY.read_text())
    data = copy.deepcopy(_loader().load_service_model("sqs", "service-2"))
    metadata = data["metadata"]
    for key in ("targetPrefix", "jsonVersion", "awsQueryCompatible"):
        metadata.pop(key, None)
    metadata.update(overlay["metadata"], protocols=["query"])
    for name, hints in overlay["shapes"].items():
        if name in data["shapes"]:
            _merge(data["shapes"][name], hints)
    for op in data["operations"].values():
        if "output" in op:
            op["output"]["resultWrapper"] = f"{op['name']}Result"
    return ServiceModel(data, service_name="sqs")


@lru_cache(maxsize=64)
def legacy_code(shape_name: str) -> str:
    """The query protocol's code for an error shape (also sent in `x-amzn-query-error`)."""
    model = query_model()
    if shape_name not in model.shape_names:
        return shape_name
    return model.shape_for(shape_name).metadata.get("error", {}).get("code") or shape_name


def model_for(req: Request) -> ServiceModel | None:
    """json when the request names its operation in `X-Amz-Target`, the query model otherwise."""
    if req.headers.get("x-amz-target"):
        return None
    return query_model()


def _check_queue_url_action(req: Request) -> None:
    """AWS's answers to a query call on a queue URL: no Action is an unknown operation (404);
    the account-level actions CreateQueue and ListQueues are not valid there."""
    from overcast.errors import ClientError

    if req.method != "GET":  # a POST's form is not read yet: the operations check (see on_queue_url)
        return
    action = next((v for k, v in req.query if k == "Action"), None)
    if not action:
        raise ClientError("", code="UnknownOperationException", status=404)
    refuse_account_action(action, req)


def refuse_account_action(action: str, req: Request | None) -> None:
    """CreateQueue and ListQueues sent over the query protocol to a queue URL → InvalidAction."""
    from overcast.errors import ClientError

    if req is None or req.headers.get("x-amz-target"):
        return
    path = req.raw_path.split("?", 1)[0]
    if path not in ("", "/") and not path.startswith("/_overcast"):
        raise ClientError(f"The action {action} is not valid for this endpoint.", code="InvalidAction")


def queue_url_from_path(req: Request) -> Request:
    """Older SDKs post query requests to the queue URL itself (`POST /123456789012/name`) and may
    leave `QueueUrl` out of the form: put it in, built from the path."""
    path = req.raw_path.split("?", 1)[0]
    if path in ("", "/") or req.headers.get("x-amz-target") or path.startswith("/_overcast"):
        return req
    _check_queue_url_action(req)
    if "QueueUrl=" in req.query_string:  # a QueueUrl in the form body still wins: it comes later
        return req
    from urllib.parse import quote

    url = f"{req.scheme}://{req.host}{path}"
    extra = f"QueueUrl={quote(url, safe='')}"
    req.query_string = f"{req.query_string}&{extra}" if req.query_string else extra
    req.__dict__.pop("_query", None)
    return req
