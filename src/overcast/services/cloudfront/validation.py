"""AWS's checks on a DistributionConfig: origins the behaviours target, Lambda@Edge associations
(published versions in us-east-1 only), cache policies that exist, the default root object."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.errors import CloudFrontError, error
from overcast.services.cloudfront.policies import (
    MANAGED_CACHE_POLICIES,
    MANAGED_ORIGIN_REQUEST_POLICIES,
    MANAGED_RESPONSE_HEADERS_POLICIES,
)

_VERSIONED = re.compile(r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]+:(?P<v>\d+)$")
_S3_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9.-]*\.s3[.-]([a-z0-9.-]+\.)?amazonaws\.com(\.cn)?$")
EDGE_EVENTS = ("viewer-request", "origin-request", "origin-response", "viewer-response")


def behaviours(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The cache behaviours in precedence order, then the default one (PathPattern `*`)."""
    return [*items(config.get("CacheBehaviors")), {**config["DefaultCacheBehavior"], "PathPattern": "*"}]


def check_config(config: dict[str, Any], policy_exists: Any) -> None:
    """Raise AWS's error for what CloudFront refuses in `config`. `policy_exists(kind, id)` answers
    whether a customer-managed policy exists."""
    _check_quantities(config)
    origin_ids = [o["Id"] for o in items(config.get("Origins"))]
    if not origin_ids:
        raise error("InvalidOrigin", "The specified origin server does not exist or is not valid.")
    for origin in items(config.get("Origins")):
        if "S3OriginConfig" in origin and not _S3_DOMAIN.match(origin.get("DomainName") or ""):
            raise error("InvalidArgument", "The parameter Origin DomainName does not refer to a valid S3 bucket.")
    groups = [g["Id"] for g in items(config.get("OriginGroups"))]
    for behaviour in behaviours(config):
        if behaviour.get("TargetOriginId") not in origin_ids + groups:
            raise error("NoSuchOrigin", "One or more of your origins or origin groups do not exist.", 404)
        _check_policies(behaviour, policy_exists)
        for association in items(behaviour.get("LambdaFunctionAssociations")):
            check_lambda_association(association)
        _check_functions(behaviour, policy_exists)
    root = config.get("DefaultRootObject") or ""
    if root.startswith("/"):
        raise error("InvalidDefaultRootObject", "The specified default root object is invalid.")


def _check_quantities(value: Any) -> None:
    """Every `{Quantity, Items}` list's Quantity must be the number of its Items."""
    if isinstance(value, dict):
        if "Quantity" in value and ("Items" in value or value["Quantity"]) \
                and int(value["Quantity"]) != len(value.get("Items") or []):
            raise error("InconsistentQuantities", "The value of Quantity and the size of Items don't match.")
        for item in value.values():
            _check_quantities(item)
    elif isinstance(value, list):
        for item in value:
            _check_quantities(item)


def _check_policies(behaviour: dict[str, Any], policy_exists: Any) -> None:
    cache_id = behaviour.get("CachePolicyId")
    if cache_id and cache_id not in MANAGED_CACHE_POLICIES and not policy_exists("cache-policy", cache_id):
        raise error("NoSuchCachePolicy", "The cache policy does not exist.", 404)
    origin_id = behaviour.get("OriginRequestPolicyId")
    if origin_id and origin_id not in MANAGED_ORIGIN_REQUEST_POLICIES \
            and not policy_exists("origin-request-policy", origin_id):
        raise error("NoSuchOriginRequestPolicy", "The origin request policy does not exist.", 404)
    headers_id = behaviour.get("ResponseHeadersPolicyId")
    if headers_id and headers_id not in MANAGED_RESPONSE_HEADERS_POLICIES \
            and not policy_exists("response-headers-policy", headers_id):
        raise error("NoSuchResponseHeadersPolicy", "The response headers policy does not exist.", 404)
    for group_id in items(behaviour.get("TrustedKeyGroups")):
        if not policy_exists("key-group", group_id):
            raise error("TrustedKeyGroupDoesNotExist", f"The specified key group does not exist: {group_id}")
    if not cache_id and "ForwardedValues" not in behaviour:
        raise error("InvalidArgument", "The parameter ForwardedValues is required.")


def _check_functions(behaviour: dict[str, Any], exists: Any) -> None:
    """CloudFront Functions run on viewer events only, must be published (LIVE), and cannot share
    an event type with a Lambda@Edge function."""
    lambda_events = {a.get("EventType") for a in items(behaviour.get("LambdaFunctionAssociations"))}
    for association in items(behaviour.get("FunctionAssociations")):
        arn, event_type = association.get("FunctionARN") or "", association.get("EventType")
        if event_type not in ("viewer-request", "viewer-response"):
            raise error("InvalidFunctionAssociation", f"The event type '{event_type}' is not valid for a "
                        "CloudFront function.")
        if event_type in lambda_events:
            raise error("InvalidFunctionAssociation", "You cannot associate a CloudFront function and a "
                        f"Lambda@Edge function with the same event type ({event_type}).")
        if ":function/" not in arn or not exists("function-live", arn.rsplit("/", 1)[-1]):
            raise error("InvalidFunctionAssociation", f"The function ARN {arn} does not name a published "
                        "CloudFront function.")


def check_lambda_association(association: dict[str, Any]) -> None:
    """Lambda@Edge takes a published version of a function in us-east-1: an unqualified ARN, an
    alias or `$LATEST` is refused (InvalidLambdaFunctionAssociation)."""
    arn = association.get("LambdaFunctionARN") or ""
    match = _VERSIONED.match(arn)
    if match is None:
        raise _invalid_association(f"The function ARN must reference a specific function version. (The ARN must "
                                   f"end with the version number.) ARN: {arn}")
    if match.group("region") != "us-east-1":
        raise _invalid_association(f"The function must be in region 'us-east-1'. ARN: {arn}")
    if association.get("EventType") not in EDGE_EVENTS:
        raise _invalid_association(f"The event type '{association.get('EventType')}' is not valid.")


def _invalid_association(message: str) -> CloudFrontError:
    return error("InvalidLambdaFunctionAssociation", message)
