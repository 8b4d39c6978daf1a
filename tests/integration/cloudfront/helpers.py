"""Shared set-up for the CloudFront tests: distributions, Lambda@Edge versions, URLs."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.testing import create_function, wait_settled

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def s3_origin(bucket: str, origin_id: str = "s3") -> dict[str, Any]:
    return {"Id": origin_id, "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}


def custom_origin(domain: str, origin_id: str = "custom", path: str = "") -> dict[str, Any]:
    return {"Id": origin_id, "DomainName": domain, "OriginPath": path,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}


def behaviour(origin_id: str, *, policy: str = CACHING_OPTIMIZED, pattern: str | None = None,
              edge: list[dict[str, Any]] | None = None, functions: list[dict[str, Any]] | None = None,
              methods: list[str] | None = None, origin_policy: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": "allow-all", "CachePolicyId": policy}
    if origin_policy:
        b["OriginRequestPolicyId"] = origin_policy
    if pattern is not None:
        b["PathPattern"] = pattern
    if edge:
        b["LambdaFunctionAssociations"] = {"Quantity": len(edge), "Items": edge}
    if functions:
        b["FunctionAssociations"] = {"Quantity": len(functions), "Items": functions}
    if methods:
        b["AllowedMethods"] = {"Quantity": len(methods), "Items": methods,
                               "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}
    return b


def config(origins: list[dict[str, Any]], default: dict[str, Any], behaviours: list[dict[str, Any]] = (),  # type: ignore[assignment]
           **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"CallerReference": uuid.uuid4().hex, "Comment": "test", "Enabled": True,
                           "Origins": {"Quantity": len(origins), "Items": origins}, "DefaultCacheBehavior": default}
    if behaviours:
        out["CacheBehaviors"] = {"Quantity": len(behaviours), "Items": list(behaviours)}
    out.update(extra)
    return out


def url(server: Any, dist_id: str, path: str = "/") -> str:
    return f"{server.url}/_aws/cloudfront/{dist_id}{path}"


def edge_version(lam: Any, source: str) -> str:
    """A published version of a Python function: what Lambda@Edge takes."""
    name = create_function(lam, source, Timeout=30)
    version = lam.publish_version(FunctionName=name)
    wait_settled(lam, name, version["Version"])
    return str(version["FunctionArn"])
