"""S3 bucket operations: create/delete/head/list, location, versioning, tagging, notifications, and the
configuration documents that are stored and answered back (policy, CORS, lifecycle, encryption...)."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3 import lifecycle
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.api_objects import tag_set, tags_from_set
from overcast.services.s3.listing import make_token, read_token
from overcast.services.s3.notifications import normalize

_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
#: a bucket policy's size limit (20 KB)
BUCKET_POLICY_BYTES = 20 * 1024
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d")


def check_bucket_name(name: str) -> None:
    """AWS's bucket naming rules: 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no '..', not an
    IP address, no reserved prefix or suffix."""
    bad = not _NAME.fullmatch(name) or ".." in name or name.startswith(_RESERVED_PREFIXES) \
        or name.endswith(_RESERVED_SUFFIXES)
    if not bad:
        try:
            ipaddress.IPv4Address(name)
            bad = True
        except ValueError:
            pass
    if bad:
        raise e.invalid_bucket_name(name)


def _bucket_region(ctx: RequestContext, constraint: str | None) -> str:
    """The region a CreateBucket request puts its bucket in, or AWS's error for the combination."""
    if not constraint:
        if ctx.region != "us-east-1":
            raise e.s3_error("IllegalLocationConstraintException", "The unspecified location constraint is "
                             "incompatible for the region specific endpoint this request was sent to.")
        return "us-east-1"
    region = "eu-west-1" if constraint == "EU" else constraint
    if constraint == "us-east-1" or not _REGION.fullmatch(region):
        raise e.s3_error("InvalidLocationConstraint", "The specified location-constraint is not valid",
                         LocationConstraint=constraint)
    if ctx.region not in ("us-east-1", region):
        raise e.s3_error("IllegalLocationConstraintException", f"The {constraint} location constraint is "
                         "incompatible for the region specific endpoint this request was sent to.")
    return region


#: stored configuration documents: operation stem → (settings key, input member, absent error or default)
_DOCUMENTS: dict[str, tuple[str, str, tuple[str, str] | dict[str, Any]]] = {
    "bucket_cors": ("cors", "CORSConfiguration", ("NoSuchCORSConfiguration", "The CORS configuration does not exist")),
    "bucket_lifecycle_configuration": ("lifecycle", "LifecycleConfiguration",
                                       ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")),
    "bucket_website": ("website", "WebsiteConfiguration",
                       ("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration")),
    "public_access_block": ("public_access_block", "PublicAccessBlockConfiguration",
                            ("NoSuchPublicAccessBlockConfiguration",
                             "The public access block configuration was not found")),
    "bucket_encryption": ("encryption", "ServerSideEncryptionConfiguration", {"ServerSideEncryptionConfiguration": {
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}}),
    "bucket_ownership_controls": ("ownership", "OwnershipControls", {"OwnershipControls": {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}),
}
_OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
#: documents answered as one payload member (the rest answer their members at the top level)
_PAYLOAD_DOCUMENTS = frozenset({"PublicAccessBlockConfiguration", "ServerSideEncryptionConfiguration",
                                "OwnershipControls"})


class BucketOperations(ApiBase):
    def create_bucket(self, ctx: RequestContext, bucket: str, create_bucket_configuration: dict[str, Any] | None = None,
                      object_lock_enabled_for_bucket: bool | None = None, **_: Any) -> dict[str, Any]:
        check_bucket_name(bucket)
        constraint = (create_bucket_configuration or {}).get("LocationConstraint")
        region = _bucket_region(ctx, constraint)
        settings: dict[str, Any] = {"location": constraint} if constraint else {}
        if object_lock_enabled_for_bucket:  # AWS: Object Lock turns versioning on
            settings["object_lock"] = {"ObjectLockEnabled": "Enabled"}
        with self.store.db.tx():
            self.store.create_bucket(bucket, ctx.account, region, settings)
            if object_lock_enabled_for_bucket:
                self.store.set_versioning(bucket, "Enabled")
        location = f"/{bucket}" if region == "us-east-1" else f"{ctx.endpoint}/{bucket}/"
        return {"Location": location, "BucketArn": f"arn:aws:s3:::{bucket}"}

    def delete_bucket(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        self.store.delete_bucket(bucket)
        return {}

    def head_bucket(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        return {"BucketRegion": found.region, "AccessPointAlias": False, "BucketArn": found.arn}

    def list_buckets(self, ctx: RequestContext, max_buckets: int | None = None, continuation_token: str | None = None,
                     prefix: str | None = None, bucket_region: str | None = None, **_: Any) -> dict[str, Any]:
        after = read_token(continuation_token) if continuation_token else ""
        found = [b for b in self.store.buckets(ctx.account) if b.name > after and b.name.startswith(prefix or "")
                 and (bucket_region is None or b.region == bucket_region)]
        limit = max_buckets or 10_000
        shown = found[:limit]
        out: dict[str, Any] = {
            "Buckets": [{"Name": b.name, "CreationDate": b.created_at, "BucketRegion": b.region,
                         "BucketArn": b.arn} for b in shown],
            "Owner": self.owner(ctx.account),
        }
        if prefix is not None:
            out["Prefix"] = prefix
        if len(found) > limit:
            out["ContinuationToken"] = make_token(shown[-1].name)
        return out

    def get_bucket_location(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return {"LocationConstraint": self.store.bucket(bucket).settings.get("location")}

    # -- versioning -------------------------------------------------------------------------------

    def put_bucket_versioning(self, ctx: RequestContext, bucket: str, versioning_configuration: dict[str, Any],
                              **_: Any) -> dict[str, Any]:
        status = versioning_configuration.get("Status")
        if status not in ("Enabled", "Suspended"):
            raise e.malformed_xml()
        if status != "Enabled" and self.store.bucket(bucket).settings.get("object_lock"):
            raise e.s3_error("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the "
                             "versioning state cannot be changed.", 409)
        self.store.set_versioning(bucket, status)
        return {}

    def get_bucket_versioning(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        status = self.store.bucket(bucket).versioning
        return {"Status": status} if status else {}

    # -- tagging ----------------------------------------------------------------------------------

    def put_bucket_tagging(self, ctx: RequestContext, bucket: str, tagging: dict[str, Any], **_: Any) -> dict[str, Any]:
        tags = tags_from_set(tagging.get("TagSet") or [], limit=50, bucket=True)
        self.store.update_settings(bucket, tagging=tags)
        ctx.extras["status"] = 204  # AWS answers PutBucketTagging with 204 No Content
        return {}

    def get_bucket_tagging(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        tags = self.store.bucket(bucket).settings.get("tagging")
        if not tags:
            raise e.not_found_config("NoSuchTagSet", "The TagSet does not exist", bucket)
        return {"TagSet": tag_set(tags)}

    def delete_bucket_tagging(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        self.store.update_settings(bucket, tagging=None)
        return {}

    # -- notifications ----------------------------------------------------------------------------

    def put_bucket_notification_configuration(self, ctx: RequestContext, bucket: str,
                                              notification_configuration: dict[str, Any] | None = None,
                                              **_: Any) -> dict[str, Any]:
        config = normalize(notification_configuration or {})
        with self.store.db.tx():
            self.store.update_settings(bucket, notification=config or None)
            self.notifier(ctx).test_events(self.store.bucket(bucket), config)
        return {}

    def get_bucket_notification_configuration(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return dict(self.store.bucket(bucket).settings.get("notification") or {})

    # -- stored documents -------------------------------------------------------------------------

    def put_bucket_policy(self, ctx: RequestContext, bucket: str, policy: str, **_: Any) -> dict[str, Any]:
        try:
            parsed = documents.loads(policy)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise e.s3_error("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
        # bucket policies are limited to 20 KB, measured by S3 on the policy as it normalizes it:
        # here the compact JSON (https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html)
        if len(json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()) > BUCKET_POLICY_BYTES:
            raise e.s3_error("PolicyTooLarge", "Policy exceeds the maximum allowed document size.")
        self.store.update_settings(bucket, policy=policy)
        return {}

    def get_bucket_policy(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        policy = self.store.bucket(bucket).settings.get("policy")
        if policy is None:
            raise e.not_found_config("NoSuchBucketPolicy", "The bucket policy does not exist", bucket)
        return {"Policy": policy}

    def delete_bucket_policy(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        self.store.update_settings(bucket, policy=None)
        return {}

    def get_bucket_acl(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        owner = self.owner(self.store.bucket(bucket).account)
        return {"Owner": owner, "Grants": [{"Grantee": {**owner, "Type": "CanonicalUser"},
                                            "Permission": "FULL_CONTROL"}]}

    def put_bucket_acl(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        self.store.bucket(bucket)
        return {}

    def get_object_acl(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                       **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        self.store.readable(found, key, version_id, "GET")
        return self.get_bucket_acl(ctx, bucket)

    def put_object_acl(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                       **_: Any) -> dict[str, Any]:
        found = self.store.bucket(bucket)
        self.store.readable(found, key, version_id, "PUT")
        return {}

    def _put_document(self, bucket: str, stem: str, value: dict[str, Any]) -> dict[str, Any]:
        key, _member, _absent = _DOCUMENTS[stem]
        self.store.update_settings(bucket, **{key: value})
        return {}

    def _get_document(self, bucket: str, stem: str) -> dict[str, Any]:
        key, member, absent = _DOCUMENTS[stem]
        value = self.store.bucket(bucket).settings.get(key)
        if value is None:
            if isinstance(absent, dict):
                return absent
            raise e.not_found_config(absent[0], absent[1], bucket)
        return {member: value} if member in _PAYLOAD_DOCUMENTS else dict(value)

    def _delete_document(self, bucket: str, stem: str) -> dict[str, Any]:
        self.store.update_settings(bucket, **{_DOCUMENTS[stem][0]: None})
        return {}

    def put_bucket_cors(self, ctx: RequestContext, bucket: str, cors_configuration: dict[str, Any], **_: Any) -> dict[str, Any]:
        return self._put_document(bucket, "bucket_cors", cors_configuration)

    def get_bucket_cors(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._get_document(bucket, "bucket_cors")

    def delete_bucket_cors(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._delete_document(bucket, "bucket_cors")

    def put_bucket_lifecycle_configuration(self, ctx: RequestContext, bucket: str,
                                           lifecycle_configuration: dict[str, Any] | None = None,
                                           transition_default_minimum_object_size: str | None = None,
                                           **_: Any) -> dict[str, Any]:
        config = lifecycle_configuration or {"Rules": []}
        self.store.bucket(bucket)
        lifecycle.validate(config)
        # AWS: the transition minimum object size comes as a header, kept with the rules and answered back
        minimum = transition_default_minimum_object_size or lifecycle.DEFAULT_MINIMUM
        self._put_document(bucket, "bucket_lifecycle_configuration",
                           {**lifecycle.storable(config), "TransitionDefaultMinimumObjectSize": minimum})
        self.platform.signals.notify(lifecycle.SIGNAL)
        return {"TransitionDefaultMinimumObjectSize": minimum}

    def get_bucket_lifecycle_configuration(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._get_document(bucket, "bucket_lifecycle_configuration")

    def delete_bucket_lifecycle(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._delete_document(bucket, "bucket_lifecycle_configuration")

    def put_bucket_website(self, ctx: RequestContext, bucket: str, website_configuration: dict[str, Any],
                           **_: Any) -> dict[str, Any]:
        return self._put_document(bucket, "bucket_website", website_configuration)

    def get_bucket_website(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._get_document(bucket, "bucket_website")

    def delete_bucket_website(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._delete_document(bucket, "bucket_website")

    def put_public_access_block(self, ctx: RequestContext, bucket: str,
                                public_access_block_configuration: dict[str, Any], **_: Any) -> dict[str, Any]:
        return self._put_document(bucket, "public_access_block", public_access_block_configuration)

    def get_public_access_block(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._get_document(bucket, "public_access_block")

    def delete_public_access_block(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._delete_document(bucket, "public_access_block")

    def put_bucket_encryption(self, ctx: RequestContext, bucket: str,
                              server_side_encryption_configuration: dict[str, Any], **_: Any) -> dict[str, Any]:
        return self._put_document(bucket, "bucket_encryption", server_side_encryption_configuration)

    def get_bucket_encryption(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._get_document(bucket, "bucket_encryption")

    def delete_bucket_encryption(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        return self._delete_document(bucket, "bucket_encryption")

    def put_bucket_ownership_controls(self, ctx: RequestContext, bucket: str, ownership_controls: dict[str, Any],
                                      **_: Any) -> dict[str, Any]:
        rules = ownership_controls.get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in _OWNERSHIP:
            raise e.malformed_xml()
        return self._put_document(bucket, "bucket_ownership_controls", ownership_controls)

    def get_bucket_ownership_controls(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        if self.store.bucket(bucket).settings.get("ownership") is False:  # deleted: AWS has none to show
            raise e.not_found_config("OwnershipControlsNotFoundError",
                                     "The bucket ownership controls were not found", bucket)
        return self._get_document(bucket, "bucket_ownership_controls")

    def delete_bucket_ownership_controls(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        # new buckets have BucketOwnerEnforced by default; deleting leaves them without controls
        self.store.update_settings(bucket, ownership=False)
        ctx.extras["status"] = 204
        return {}
