"""What CloudFront checks about a viewer before any function runs: the behaviour's
`ViewerProtocolPolicy` (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html),
the distribution's geographic restriction
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/georestrictions.html) and, for
a behaviour with trusted key groups, the signed URL or signed cookies
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-signed-urls.html)."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast.edge.messages import Response, parse_form
from overcast.services.cloudfront.api_base import items
from overcast.services.cloudfront.pages import stamp

#: The header a local viewer names its country with (ISO 3166-1 alpha-2); AWS derives it from the
#: viewer's IP address, which on one machine says nothing.
COUNTRY_HEADER = "X-Overcast-Viewer-Country"
_SIGNING_PARAMS = ("Expires", "Policy", "Signature", "Key-Pair-Id")
_REDIRECT_PAGE = (b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved "
                  b"Permanently</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n")


def viewer_is_https(scheme: str, headers: list[tuple[str, str]]) -> bool:
    """overcast serves plain HTTP: a viewer is on HTTPS when a TLS proxy in front says so
    (`X-Forwarded-Proto: https`)."""
    if scheme == "https":
        return True
    return any(k.lower() == "x-forwarded-proto" and v.strip().lower() == "https" for k, v in headers)


def protocol_answer(behaviour: dict[str, Any], https: bool, host: str, target: str,
                    cf_id: str) -> Response | None:
    """AWS's answer to a plain-HTTP viewer: `redirect-to-https` → 301 to the same URL on https,
    `https-only` → 403; None when the request may go on."""
    policy = behaviour.get("ViewerProtocolPolicy") or "allow-all"
    if https or policy == "allow-all":
        return None
    if policy == "redirect-to-https":
        response = Response(301, [("Server", "CloudFront"), ("Content-Type", "text/html"),
                                  ("Location", f"https://{host}{target}")], _REDIRECT_PAGE)
        stamp(response, cf_id, "Redirect from cloudfront")
        return response
    from overcast.services.cloudfront.pages import failure

    return failure("https-only", cf_id)


def geo_blocked(config: dict[str, Any], headers: list[tuple[str, str]]) -> bool:
    """Whether the distribution's geographic restriction refuses the viewer's country (unknown
    countries are served, as on AWS when CloudFront cannot place a viewer)."""
    restriction = (config.get("Restrictions") or {}).get("GeoRestriction") or {}
    kind = restriction.get("RestrictionType") or "none"
    country = next((v.strip().upper() for k, v in headers if k.lower() == COUNTRY_HEADER.lower()), "")
    if kind == "none" or not country:
        return False
    listed = country in {c.upper() for c in items(restriction)}
    return not listed if kind == "whitelist" else listed


@dataclass
class SignedAccess:
    """What a signed request must match: the URLs it may have been signed for, the viewer's IP and
    the time, and how to find a trusted public key by id."""

    urls: list[str]
    client_ip: str
    now: float
    public_key: Callable[[str], str | None]


def access_denied(code: str, message: str, cf_id: str) -> Response:
    """CloudFront's XML answer to a request whose signed URL or cookies do not pass (403)."""
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>").encode()
    response = Response(403, [("Server", "CloudFront"), ("Content-Type", "text/xml")], body)
    stamp(response, cf_id, "Error from cloudfront")
    return response


def signing_values(query: str, cookies: dict[str, str]) -> dict[str, str]:
    """The signing values of the URL (`Expires`/`Policy`, `Signature`, `Key-Pair-Id`), else of the
    cookies (`CloudFront-Expires`...)."""
    params = dict(parse_form(query))
    if "Signature" in params or "Key-Pair-Id" in params:
        return {k: params[k] for k in _SIGNING_PARAMS if k in params}
    return {k: cookies[f"CloudFront-{k}"] for k in _SIGNING_PARAMS if f"CloudFront-{k}" in cookies}


def unsigned_query(query: str) -> str:
    """The query string without the signing parameters, in its order: what the URL signed."""
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] not in _SIGNING_PARAMS]
    return "&".join(kept)


def _b64(value: str) -> bytes:
    """CloudFront's URL-safe base64 (`-` for `+`, `_` for `=`, `~` for `/`)."""
    text = value.replace("-", "+").replace("_", "=").replace("~", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _verifies(pem: str, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA1())  # CloudFront signs with SHA-1
    except InvalidSignature:
        return False
    return True


def canned_policy(url: str, expires: str) -> bytes:
    """The policy a canned signed URL signs: exactly this JSON, without whitespace."""
    condition = '{"DateLessThan":{"AWS:EpochTime":' + expires + "}}"
    return ('{"Statement":[{"Resource":"' + url + '","Condition":' + condition + "}]}").encode()


def check_signature(values: dict[str, str], access: SignedAccess, cf_id: str) -> Response | None:
    """None when the signed URL or cookies pass, else CloudFront's 403 answer."""
    key_id = values.get("Key-Pair-Id") or ""
    if not key_id:
        return access_denied("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", cf_id)
    pem = access.public_key(key_id)
    if pem is None:
        return access_denied("InvalidKey", "Unknown Key", cf_id)
    try:
        signature = _b64(values.get("Signature") or "")
    except ValueError:
        return access_denied("MalformedSignature", "Malformed Signature", cf_id)
    if "Policy" in values:
        return _check_custom(values["Policy"], pem, signature, access, cf_id)
    expires = values.get("Expires") or ""
    if not expires.isdigit():
        return access_denied("AccessDenied", "Access denied", cf_id)
    if not any(_verifies(pem, signature, canned_policy(url, expires)) for url in access.urls):
        return access_denied("AccessDenied", "Access denied", cf_id)
    if int(expires) <= access.now:
        return access_denied("AccessDenied", "Access denied", cf_id)
    return None


def _check_custom(encoded: str, pem: str, signature: bytes, access: SignedAccess, cf_id: str) -> Response | None:
    try:
        policy_bytes = _b64(encoded)
        statement = json.loads(policy_bytes)["Statement"][0]
        condition = statement["Condition"]
        not_after = float(condition["DateLessThan"]["AWS:EpochTime"])
    except (ValueError, KeyError, IndexError, TypeError):
        return access_denied("MalformedPolicy", "Malformed Policy", cf_id)
    if not _verifies(pem, signature, policy_bytes):
        return access_denied("AccessDenied", "Access denied", cf_id)
    resource = str(statement.get("Resource") or "*")
    pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in resource) + r"\Z")
    not_before = float(((condition.get("DateGreaterThan") or {}).get("AWS:EpochTime")) or 0)
    source = (condition.get("IpAddress") or {}).get("AWS:SourceIp")
    if not any(pattern.match(url) for url in access.urls) or access.now >= not_after or access.now < not_before \
            or (source and not _ip_in(access.client_ip, str(source))):
        return access_denied("AccessDenied", "Access denied", cf_id)
    return None


def _ip_in(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
