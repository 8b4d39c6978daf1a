"""Condition keys a request carries: `aws:RequestTag/<key>` and `aws:TagKeys` for every service, and
the service-specific keys applications write policies with, from AWS's
[Service Authorization Reference](https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
(docs/iam.md lists them). Each is set only on the operations the reference names, and only when the
request holds its value, so that a policy testing a key the request lacks sees it missing, as on AWS.

`service_keys` answers `{resource ARN or "": keys}`: DynamoDB's keys differ per table of a batch or
transaction; "" holds those of every resource of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.iam.dynamodb_keys import dynamodb_keys
from overcast.services.resourcegroupstaggingapi.inbox import as_dict

Keys = dict[str, Any]
PerResource = dict[str, Keys]

#: members that hold the tags a request sets (dotted: nested), in AWS's several shapes
_TAG_MEMBERS = ("Tags.Items", "Tags", "tags", "TagList", "UserPoolTags", "Tagging.TagSet", "TagSet",
                "CreateBucketConfiguration.Tags")
#: members that hold the tag keys an untag request removes
_TAG_KEY_MEMBERS = ("TagKeys", "tagKeys", "TagKeys.Items")
#: S3 operations whose tags are an object's (s3:RequestObjectTag), not the resource's (aws:RequestTag)
_S3_OBJECT_TAGS = {"PutObject", "CopyObject", "CreateMultipartUpload", "PutObjectTagging"}


def _member(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def request_tags(params: dict[str, Any]) -> dict[str, str] | None:
    """The tags a request sets, whatever the service's shape for them (None: it sets none)."""
    for path in _TAG_MEMBERS:
        value = _member(params, path)
        listed = isinstance(value, list) and value and all(isinstance(t, dict) for t in value)
        if listed or (isinstance(value, dict) and path != "Tags.Items"):
            try:
                return as_dict(value)
            except (KeyError, StopIteration):
                continue
    return None


def tag_keys(prefix: str, op: str, params: dict[str, Any]) -> Keys:
    """`aws:RequestTag/<key>` for each tag a request sets and `aws:TagKeys` for the keys it sets or
    removes ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html))."""
    if prefix == "s3" and op in _S3_OBJECT_TAGS:
        return {}
    keys: Keys = {}
    tags = request_tags(params)
    if tags:
        keys["aws:tagkeys"] = list(tags)
        keys.update({f"aws:requesttag/{k.lower()}": v for k, v in tags.items()})
        return keys
    for path in _TAG_KEY_MEMBERS:
        value = _member(params, path)
        if isinstance(value, list) and all(isinstance(k, str) for k in value):
            keys["aws:tagkeys"] = list(value)
            break
    return keys


def _set(keys: Keys, name: str, value: Any) -> None:
    """A key the request carries (absent when the member is)."""
    if value is None:
        return
    if isinstance(value, bool):
        value = "true" if value else "false"
    keys[name] = value if isinstance(value, list) else str(value)


# -- S3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html) -------------

_S3_MEMBERS = {
    "ACL": "s3:x-amz-acl", "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id", "StorageClass": "s3:x-amz-storage-class",
    "CopySource": "s3:x-amz-copy-source", "MetadataDirective": "s3:x-amz-metadata-directive",
    "VersionId": "s3:versionid", "ObjectLockMode": "s3:object-lock-mode",
    "ObjectLockLegalHoldStatus": "s3:object-lock-legal-hold", "GrantRead": "s3:x-amz-grant-read",
    "GrantWrite": "s3:x-amz-grant-write", "GrantFullControl": "s3:x-amz-grant-full-control",
    "GrantReadACP": "s3:x-amz-grant-read-acp", "GrantWriteACP": "s3:x-amz-grant-write-acp",
}
_S3_LISTS = {"ListObjects", "ListObjectsV2", "ListObjectVersions"}


def _s3(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op in _S3_LISTS:  # s3:ListBucket and s3:ListBucketVersions
        _set(keys, "s3:prefix", params.get("Prefix"))
        _set(keys, "s3:delimiter", params.get("Delimiter"))
        _set(keys, "s3:max-keys", params.get("MaxKeys"))
    for member, key in _S3_MEMBERS.items():
        _set(keys, key, params.get(member))
    if op == "CreateBucket":
        _set(keys, "s3:locationconstraint", _member(params, "CreateBucketConfiguration.LocationConstraint"))
    if op in _S3_OBJECT_TAGS:  # the tags an object is given: a URL query string, or PutObjectTagging's set
        tagging = params.get("Tagging")
        tags = dict(parse_qsl(tagging, keep_blank_values=True)) if isinstance(tagging, str) else \
            as_dict(_member(params, "Tagging.TagSet"))
        if tags:
            keys["s3:requestobjecttagkeys"] = list(tags)
            keys.update({f"s3:requestobjecttag/{k.lower()}": v for k, v in tags.items()})
    req = ctx.request
    if req is not None:  # how the request was signed and authenticated
        presigned = req.query_has("X-Amz-Signature") or req.query_has("Signature")
        auth = req.headers.get("authorization", "") or ""
        keys["s3:authtype"] = "REST-QUERY-STRING" if presigned else "REST-HEADER"
        v2 = auth.startswith("AWS ") or req.query_has("Signature")
        keys["s3:signatureversion"] = "AWS" if v2 else "AWS4-HMAC-SHA256"
        _set(keys, "s3:x-amz-content-sha256", req.headers.get("x-amz-content-sha256"))
    return {"": keys}


# -- Lambda (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html) -------------

def _lambda(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    from overcast.services.lambda_.inbox import resource_arn

    keys: Keys = {}
    if op in ("CreateEventSourceMapping", "UpdateEventSourceMapping") and params.get("FunctionName"):
        keys["lambda:functionarn"] = resource_arn(str(params["FunctionName"]), ctx.account, ctx.region, None)
    if op == "AddPermission":
        _set(keys, "lambda:principal", params.get("Principal"))
        _set(keys, "lambda:eventsourcetoken", params.get("EventSourceToken"))
    if op in ("AddPermission", "CreateFunctionUrlConfig", "UpdateFunctionUrlConfig"):
        _set(keys, "lambda:functionurlauthtype", params.get("FunctionUrlAuthType") or params.get("AuthType"))
    if op in ("CreateFunction", "UpdateFunctionConfiguration"):
        layers = params.get("Layers")
        _set(keys, "lambda:layer", list(layers) if isinstance(layers, list) else None)
        vpc = params.get("VpcConfig") or {}
        _set(keys, "lambda:subnetids", vpc.get("SubnetIds"))
        _set(keys, "lambda:securitygroupids", vpc.get("SecurityGroupIds"))
    return {"": keys}


# -- the others --------------------------------------------------------------------------------------

def _sts(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op.startswith("AssumeRole"):
        _set(keys, "sts:externalid", params.get("ExternalId"))
        _set(keys, "sts:rolesessionname", params.get("RoleSessionName"))
        _set(keys, "sts:sourceidentity", params.get("SourceIdentity"))
        _set(keys, "sts:transitivetagkeys", params.get("TransitiveTagKeys"))
    return {"": keys}


def _iam(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op.startswith(("Attach", "Detach")) or op.endswith("PermissionsBoundary"):
        _set(keys, "iam:policyarn", params.get("PolicyArn") or params.get("PermissionsBoundary"))
    if op in ("CreateRole", "CreateUser", "PutRolePermissionsBoundary", "PutUserPermissionsBoundary"):
        _set(keys, "iam:permissionsboundary", params.get("PermissionsBoundary"))
    return {"": keys}


def _sns(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op == "Subscribe":
        _set(keys, "sns:endpoint", params.get("Endpoint"))
        _set(keys, "sns:protocol", params.get("Protocol"))
    return {"": keys}


def _events(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op == "PutEvents":
        entries = [e for e in params.get("Entries") or [] if isinstance(e, dict)]
        _set(keys, "events:source", sorted({str(e["Source"]) for e in entries if e.get("Source")}) or None)
        _set(keys, "events:detail-type", sorted({str(e["DetailType"]) for e in entries if e.get("DetailType")}) or None)
    if op == "PutTargets":
        _set(keys, "events:targetarn", [str(t["Arn"]) for t in params.get("Targets") or [] if t.get("Arn")] or None)
    return {"": keys}


def _ssm(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op == "PutParameter":
        _set(keys, "ssm:overwrite", params.get("Overwrite"))
        _set(keys, "ssm:policies", params.get("Policies"))
    if op == "GetParametersByPath":
        _set(keys, "ssm:recursive", params.get("Recursive"))
    return {"": keys}


_SECRETS = {"Name": "secretsmanager:name", "SecretId": "secretsmanager:secretid",
            "Description": "secretsmanager:description", "KmsKeyId": "secretsmanager:kmskeyid",
            "VersionStage": "secretsmanager:versionstage", "VersionId": "secretsmanager:versionid",
            "ForceDeleteWithoutRecovery": "secretsmanager:forcedeletewithoutrecovery",
            "RecoveryWindowInDays": "secretsmanager:recoverywindowindays",
            "RotationLambdaARN": "secretsmanager:rotationlambdaarn",
            "BlockPublicPolicy": "secretsmanager:blockpublicpolicy"}


def _secretsmanager(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    for member, key in _SECRETS.items():
        _set(keys, key, params.get(member))
    return {"": keys}


def _cloudwatch(platform: Platform, ctx: RequestContext, op: str, params: dict[str, Any]) -> PerResource:
    keys: Keys = {}
    if op == "PutMetricData":
        _set(keys, "cloudwatch:namespace", params.get("Namespace"))
    if op == "PutMetricAlarm":
        _set(keys, "cloudwatch:alarmactions", params.get("AlarmActions"))
    return {"": keys}


_SERVICES: dict[str, Callable[[Platform, RequestContext, str, dict[str, Any]], PerResource]] = {
    "s3": _s3, "dynamodb": dynamodb_keys, "lambda": _lambda, "sts": _sts, "iam": _iam, "sns": _sns,
    "events": _events, "ssm": _ssm, "secretsmanager": _secretsmanager, "cloudwatch": _cloudwatch,
}


def service_keys(platform: Platform, ctx: RequestContext, prefix: str, op: str, params: dict[str, Any]) -> PerResource:
    """The request's tag keys and its service's keys: {resource ARN or "" for all: keys}."""
    found = dict(_SERVICES[prefix](platform, ctx, op, params)) if prefix in _SERVICES else {}
    found[""] = {**tag_keys(prefix, op, params), **found.get("", {})}
    return found
