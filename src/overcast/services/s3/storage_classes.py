"""S3 storage classes: which are valid, and reading objects of the archive classes
([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html)): a GLACIER or
DEEP_ARCHIVE object is read (GetObject, CopyObject) only while a restored copy exists; HeadObject
reports the restore in `x-amz-restore`."""

from __future__ import annotations

from email.utils import formatdate

from overcast.services.s3 import errors as e
from overcast.services.s3.models import ObjectVersion

STORAGE_CLASSES = frozenset({
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
    "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP"})
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
#: AWS seconds a restore takes, by tier (the shortest of AWS's documented ranges)
RESTORE_SECONDS = {"Expedited": 60.0, "Standard": 3 * 3600.0, "Bulk": 5 * 3600.0}


def check_storage_class(value: str | None) -> None:
    if value is not None and value not in STORAGE_CLASSES:
        raise e.s3_error("InvalidStorageClass", "The storage class you specified is not valid",
                         StorageClassRequested=value)


def check_restored(obj: ObjectVersion, now: float) -> None:
    """InvalidObjectState (403) for an archived object that is not restored (now)."""
    storage = obj.meta.get("StorageClass")
    if storage in ARCHIVED and not now >= float(obj.meta.get("RestoreReady", float("inf"))):
        raise e.s3_error("InvalidObjectState", "The operation is not valid for the object's storage class", 403,
                         StorageClass=storage)


def restore_header(obj: ObjectVersion, now: float) -> str | None:
    """The `x-amz-restore` header of an archived object being or having been restored."""
    if "RestoreReady" not in obj.meta:
        return None
    if now < float(obj.meta["RestoreReady"]):
        return 'ongoing-request="true"'
    return f'ongoing-request="false", expiry-date="{formatdate(obj.meta["RestoreExpiry"], usegmt=True)}"'
