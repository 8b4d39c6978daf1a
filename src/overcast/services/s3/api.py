"""S3's operations, one plain method each (`botocore.xform_name` of the operation name), grouped by
subject in the `api_*` modules."""

from __future__ import annotations

from overcast.services.s3.api_buckets import BucketOps
from overcast.services.s3.api_listing import ListingOps
from overcast.services.s3.api_multipart import MultipartOps


class S3Api(BucketOps, ListingOps, MultipartOps):
    """Buckets, objects, listings, multipart uploads, tagging, versioning and notifications."""
