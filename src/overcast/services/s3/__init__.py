"""Amazon S3 (rest-xml): buckets and objects stored under the data dir, path-style and
virtual-hosted-style addressing, multipart uploads, versioning, tagging, and bucket notifications to
Lambda, SQS, SNS and EventBridge."""

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec
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


def _deliver(platform, target_arn, payload, options):  # type: ignore[no-untyped-def]
    from overcast.services.s3.inbox import deliver

    return deliver(platform, target_arn, payload, options)


SPEC = ServiceSpec(
    name="s3",
    api=_api,
    options=ProtocolOptions(
        validation="none",
        xml_roots=XML_ROOTS,
        xml_namespace="http://s3.amazonaws.com/doc/2006-03-01/",
        rewrite=rewrite,
        operation_hint=operation_hint,
    ),
    deliver=_deliver,
)
