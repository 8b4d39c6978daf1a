"""Amazon S3 (rest-xml): buckets and objects stored under the data dir, path-style and
virtual-hosted-style addressing, multipart uploads, versioning, tagging, and bucket notifications to
Lambda, SQS, SNS and EventBridge."""

from overcast.edge.messages import Request
from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec
from overcast.services.s3.addressing import operation_hint, rewrite

#: the root element real S3 gives each output document (botocore's models do not say)
XML_ROOTS = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "ListParts": "ListPartsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "DeleteObjects": "DeleteResult",
    "GetObjectTagging": "Tagging",
    "GetBucketTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketLocation": "LocationConstraint",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
}


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.s3.api import S3Api

    return S3Api(platform)


def _loops(platform):  # type: ignore[no-untyped-def]
    from overcast.services.s3.lifecycle import lifecycle_loop

    return [lambda: lifecycle_loop(platform)]


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.s3.inbox import deliver

    return deliver(platform, target_arn, payload, options)


def _bucket_path(req: Request) -> tuple[str, str]:
    bucket, _, key = rewrite(req).raw_path.split("?", 1)[0].lstrip("/").partition("/")
    return bucket, key


def _is_preflight(req: Request) -> bool:
    """A CORS preflight (OPTIONS with Access-Control-Request-Method) to a bucket or an object."""
    return req.method == "OPTIONS" and "access-control-request-method" in req.headers \
        and bool(_bucket_path(req)[0])


def _is_post_upload(req: Request) -> bool:
    """An HTML form upload: a multipart/form-data POST to a bucket."""
    if req.method != "POST" or not (req.headers.get("content-type") or "").startswith("multipart/form-data"):
        return False
    bucket, key = _bucket_path(req)
    return bool(bucket) and not key


async def _preflight(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.s3.browser import preflight

    return await preflight(platform, req)


async def _post_upload(platform, req):  # type: ignore[no-untyped-def]
    from overcast.services.s3.browser import post_upload

    return await post_upload(platform, req)


def _decorate(platform, req, ctx, response):  # type: ignore[no-untyped-def]
    if "origin" not in req.headers:
        return response
    from overcast.services.s3.browser import with_cors

    return with_cors(platform, req, response)


SPEC = ServiceSpec(
    name="s3",
    api=_api,
    options=ProtocolOptions(
        validation="none",
        invalid_uri_code="InvalidURI",
        xml_roots=XML_ROOTS,
        xml_namespace="http://s3.amazonaws.com/doc/2006-03-01/",
        rewrite=rewrite,
        operation_hint=operation_hint,
        respond=_decorate,
    ),
    routes=(HttpRoute("s3-cors-preflight", _is_preflight, _preflight),
            HttpRoute("s3-post-upload", _is_post_upload, _post_upload)),
    deliver=_deliver,
    loops=_loops,
)
