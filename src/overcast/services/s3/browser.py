"""S3's browser-facing HTTP surfaces, outside botocore's model: CORS preflight requests (OPTIONS on a
bucket or object) and POST object uploads from HTML forms.

A POST upload ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html)) is a
`multipart/form-data` request to the bucket: `key` (with `${filename}` replaced by the file's
name), optional `policy` (base64 JSON: `expiration` and `conditions`, checked as S3 does), the
object's headers as fields (`Content-Type`, `x-amz-meta-*`...), `success_action_status` (200, 201
with a `PostResponse` document, or 204, the default) or `success_action_redirect`, and the `file`
last (fields after it are ignored). Signatures are not checked (as for other requests).
"""

from __future__ import annotations

import base64
import datetime as dt
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from overcast import documents
from overcast.context import RequestContext, new_request_id
from overcast.edge.messages import Request, Response
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.s3 import cors
from overcast.services.s3 import errors as e
from overcast.services.s3.addressing import rewrite
from overcast.services.s3.api import S3Api
from overcast.services.s3.models import S3Store

#: form fields that need no policy condition
_FREE_FIELDS = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file", "x-amz-security-token"})
#: form fields that become PutObject members
_MEMBERS = {"content-type": "content_type", "cache-control": "cache_control",
            "content-disposition": "content_disposition", "content-encoding": "content_encoding",
            "x-amz-storage-class": "storage_class", "x-amz-tagging": "tagging",
            "x-amz-server-side-encryption": "server_side_encryption"}


def _split(req: Request, rewritten: bool = False) -> tuple[str, str]:
    path = (req if rewritten else rewrite(req)).raw_path.split("?", 1)[0]
    bucket, _, key = path.lstrip("/").partition("/")
    return bucket, key


def error_response(error: ServiceError, request_id: str) -> Response:
    """An S3 XML error document."""
    fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in error.fields.items())
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(error.code)}</Code>'
            f"<Message>{escape(error.message)}</Message>{fields}<RequestId>{request_id}</RequestId></Error>")
    return Response(error.status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)],
                    body.encode())


async def preflight(platform: Platform, req: Request) -> Response:
    """Answer a CORS preflight from the bucket's CORS rules."""
    request_id = new_request_id()
    bucket_name, _ = _split(req)
    origin = req.headers.get("origin")
    method = req.headers.get("access-control-request-method") or ""
    if not origin:
        return error_response(e.s3_error("BadRequest", "Insufficient information. Origin request header needed."),
                              request_id)
    bucket = platform.component(S3Store).find_bucket(bucket_name) if bucket_name else None
    config = bucket.settings.get("cors") if bucket is not None else None
    if not config:
        return error_response(e.s3_error("AccessForbidden", cors.NOT_ENABLED, 403, Method=method,
                                         ResourceType="BUCKET"), request_id)
    wanted = cors.requested_headers(req.headers)
    rule = cors.matching_rule(config, origin, method, wanted)
    if rule is None:
        return error_response(e.s3_error("AccessForbidden", cors.NOT_ALLOWED, 403, Method=method,
                                         ResourceType="BUCKET"), request_id)
    headers = cors.rule_headers(rule, origin, preflight=True, request_headers=wanted)
    return Response(200, [*headers, ("x-amz-request-id", request_id), ("Content-Length", "0")], b"")


def _form(req: Request) -> tuple[dict[str, str], bytes | None, str]:
    """The fields before the file (lower-cased names), the file's bytes and its name."""
    head = f"Content-Type: {req.headers.get('content-type')}\r\n\r\n".encode()
    message = BytesParser(policy=email_policy.HTTP).parsebytes(head + req.body)
    fields: dict[str, str] = {}
    for part in message.iter_parts() if message.is_multipart() else []:
        name = (part.get_param("name", header="content-disposition") or "")
        name = str(name).lower()
        payload = part.get_payload(decode=True) or b""
        if name == "file":
            return fields, bytes(payload), str(part.get_filename() or "")
        fields[name] = bytes(payload).decode("utf-8", "replace")
    return fields, None, ""


async def post_upload(platform: Platform, req: Request) -> Response:
    """Store the file of an HTML form upload (see the module docstring)."""
    request_id = new_request_id()
    bucket_name, _ = _split(req)
    try:
        bucket = platform.component(S3Store).bucket(bucket_name)
        fields, data, filename = _form(req)
        if "key" not in fields:
            raise e.invalid_argument("Bucket POST must contain a field named 'key'.  If it is specified, please "
                                     "check the order of the fields.", "key", "")
        if data is None:
            raise e.invalid_argument("POST requires exactly one file upload per request.", "file", "0")
        key = fields["key"].replace("${filename}", filename)
        if fields.get("policy"):
            check_policy(fields, bucket_name, len(data), platform.clock.now())
        ctx = RequestContext(account=bucket.account, region=bucket.region, service="s3", operation="PutObject",
                             request_id=request_id, request=req, endpoint=f"{req.scheme}://{req.host}")
        params = {member: fields[name] for name, member in _MEMBERS.items() if fields.get(name)}
        metadata = {name[len("x-amz-meta-"):]: v for name, v in fields.items() if name.startswith("x-amz-meta-")}
        result = await S3Api(platform).put_object(ctx, bucket_name, key, data, metadata=metadata or None, **params)
    except ServiceError as error:
        return error_response(error, request_id)
    return cors.decorate(bucket.settings.get("cors"), "POST", req.headers,
                         _success(req, fields, bucket_name, key, result, request_id))


def _success(req: Request, fields: dict[str, str], bucket: str, key: str, result: dict[str, Any],
             request_id: str) -> Response:
    location = f"{req.scheme}://{req.host}/{bucket}/{quote(key)}"
    headers = [("ETag", result["ETag"]), ("Location", location), ("x-amz-request-id", request_id)]
    if result.get("VersionId"):
        headers.append(("x-amz-version-id", result["VersionId"]))
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urlencode({"bucket": bucket, "key": key, "etag": result["ETag"]})
        return Response(303, [*headers, ("Location", f"{redirect}{'&' if '?' in redirect else '?'}{query}")], b"")
    status = fields.get("success_action_status")
    if status == "201":
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>{escape(location)}</Location>'
                f"<Bucket>{escape(bucket)}</Bucket><Key>{escape(key)}</Key><ETag>{escape(result['ETag'])}</ETag>"
                "</PostResponse>")
        return Response(201, [*headers, ("Content-Type", "application/xml")], body.encode())
    return Response(200 if status == "200" else 204, headers, b"")


def _denied(detail: str) -> ServiceError:
    return e.s3_error("AccessDenied", f"Invalid according to Policy: {detail}", 403)


def check_policy(fields: dict[str, str], bucket: str, size: int, now: float) -> None:
    """A POST policy's expiration and conditions, and that every field is covered by a condition."""
    try:
        document = documents.loads(base64.b64decode(fields["policy"]))
        conditions = document["conditions"]
        expires = dt.datetime.fromisoformat(str(document["expiration"]).replace("Z", "+00:00")).timestamp()
    except (ValueError, KeyError, TypeError):
        raise e.invalid_argument("Invalid Policy: Invalid JSON.", "policy", fields["policy"]) from None
    if expires < now:
        raise _denied("Policy expired.")
    values = {**fields, "bucket": bucket}
    covered: set[str] = set()
    for condition in conditions:
        covered.add(_check_condition(condition, values, size))
    extra = [name for name in fields if name not in covered and name not in _FREE_FIELDS
             and not name.startswith("x-ignore-")]
    if extra:
        raise _denied(f"Extra input fields: {extra[0]}")


def _check_condition(condition: Any, values: dict[str, str], size: int) -> str:
    """Check one condition; the field it covers."""
    if isinstance(condition, dict):
        (name, expected), = condition.items()
        condition = ["eq", f"${name}", expected]
    op = str(condition[0]).lower()
    if op == "content-length-range":
        low, high = int(condition[1]), int(condition[2])
        if size > high:
            raise e.s3_error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                             ProposedSize=size, MaxSizeAllowed=high)
        if size < low:
            raise e.s3_error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                             ProposedSize=size, MinSizeAllowed=low)
        return ""
    name = str(condition[1]).lstrip("$").lower()
    value, expected = values.get(name, ""), str(condition[2])
    ok = value == expected if op == "eq" else value.startswith(expected) if op == "starts-with" else False
    if not ok:
        raise _denied(f'Policy Condition failed: ["{op}", "${name}", "{expected}"]')
    return name


def with_cors(platform: Platform, req: Request, response: Response) -> Response:
    """The CORS headers of the bucket's matching rule on an actual response (a request with `Origin`,
    already rewritten to path style)."""
    bucket = platform.component(S3Store).find_bucket(_split(req, rewritten=True)[0])
    return response if bucket is None else cors.decorate(bucket.settings.get("cors"), req.method, req.headers,
                                                         response)
