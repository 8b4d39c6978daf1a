"""S3 replication to a bucket in another Region of this overcast, and inventory configurations
(issue 15)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/replication"


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_replication_to_another_region(s3, bucket, client_factory):
    west = client_factory(region_name="eu-west-1")
    target = f"r-{uuid.uuid4().hex[:16]}"
    west.create_bucket(Bucket=target, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    config = {"Role": ROLE, "Rules": [{"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "docs/"},
                                       "DeleteMarkerReplication": {"Status": "Disabled"},
                                       "Destination": {"Bucket": f"arn:aws:s3:::{target}", "StorageClass": "STANDARD_IA"}}]}
    assert _error(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=config) == (
        "InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert _error(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=config) == (
        "InvalidRequest", "Destination bucket must have versioning enabled.")
    west.put_bucket_versioning(Bucket=target, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=config)
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]["ID"] == "all"
    s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"replicate me", Metadata={"k": "v"})
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"stay")
    assert s3.head_object(Bucket=bucket, Key="docs/a.txt")["ReplicationStatus"] == "COMPLETED"
    replica = west.get_object(Bucket=target, Key="docs/a.txt")
    assert replica["Body"].read() == b"replicate me" and replica["Metadata"] == {"k": "v"}
    assert replica["ReplicationStatus"] == "REPLICA" and replica["StorageClass"] == "STANDARD_IA"
    assert "Contents" not in west.list_objects_v2(Bucket=target, Prefix="other")
    s3.delete_bucket_replication(Bucket=bucket)
    assert _error(s3.get_bucket_replication, Bucket=bucket)[0] == "ReplicationConfigurationNotFoundError"


def test_inventory_configurations(s3, bucket):
    config = {"Id": "weekly", "IsEnabled": True, "IncludedObjectVersions": "Current",
              "Destination": {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{bucket}", "Format": "CSV"}},
              "Schedule": {"Frequency": "Weekly"}}
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="weekly", InventoryConfiguration=config)
    assert s3.get_bucket_inventory_configuration(Bucket=bucket, Id="weekly")["InventoryConfiguration"] == config
    listed = s3.list_bucket_inventory_configurations(Bucket=bucket)
    assert [c["Id"] for c in listed["InventoryConfigurationList"]] == ["weekly"] and listed["IsTruncated"] is False
    assert _error(s3.put_bucket_inventory_configuration, Bucket=bucket, Id="other",
                  InventoryConfiguration=config)[0] == "InvalidArgument"
    s3.delete_bucket_inventory_configuration(Bucket=bucket, Id="weekly")
    assert _error(s3.get_bucket_inventory_configuration, Bucket=bucket, Id="weekly")[0] == "NoSuchConfiguration"
