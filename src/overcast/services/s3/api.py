"""S3's operations, one plain method each (`botocore.xform_name` of the operation name), grouped by
subject in the `api_*` modules."""

from __future__ import annotations

from overcast.services.s3.api_buckets import BucketOperations
from overcast.services.s3.api_config import ConfigOperations
from overcast.services.s3.api_listing import ListingOperations
from overcast.services.s3.api_lock import LockOperations
from overcast.services.s3.api_multipart import MultipartOperations
from overcast.services.s3.api_replication import ReplicationOperations
from overcast.services.s3.api_select import SelectOperations


class S3Api(BucketOperations, ConfigOperations, ListingOperations, LockOperations, ReplicationOperations,
            SelectOperations, MultipartOperations):
    """Buckets, objects, listings, multipart uploads, tagging, versioning and notifications."""
