"""What CloudFront checks about a viewer (protocol policy, geographic restriction, signed URLs and
signed cookies against a key group's public keys), origin group failover and response headers
policies, driven with httpx; URLs are signed with botocore's CloudFrontSigner."""

from __future__ import annotations

import datetime
import uuid

import httpx
import pytest
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .helpers import behaviour, config, custom_origin, s3_origin, url

SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
CORS_WITH_PREFLIGHT = "5cc3b908-e619-4b99-88e5-2cf7f45965bd"


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudfront")


def _bucket(overcast_server, **objects: bytes) -> str:
    s3 = overcast_server.client("s3")
    name = f"cf-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    for key, body in objects.items():
        s3.put_object(Bucket=name, Key=key, Body=body)
    return name


def _distribution(cf, origins, default, **extra) -> dict:
    return cf.create_distribution(DistributionConfig=config(origins, default, **extra))["Distribution"]


@pytest.mark.parametrize(("policy", "status"), [("redirect-to-https", 301), ("https-only", 403)])
def test_viewer_protocol_policy_on_plain_http(cf, overcast_server, policy, status):
    bucket = _bucket(overcast_server, **{"page.html": b"hello"})
    dist = _distribution(cf, [s3_origin(bucket)], {**behaviour("s3"), "ViewerProtocolPolicy": policy})
    target = url(overcast_server, dist["Id"], "/page.html?v=1")
    with httpx.Client(timeout=60) as http:
        plain = http.get(target)
        assert plain.status_code == status
        assert plain.headers["server"] == "CloudFront"
        if status == 301:
            host = overcast_server.url.split("://", 1)[1]
            assert plain.headers["location"] == f"https://{host}/_aws/cloudfront/{dist['Id']}/page.html?v=1"
            assert plain.headers["x-cache"] == "Redirect from cloudfront"
        else:
            assert plain.headers["x-cache"] == "Error from cloudfront"
        behind_tls = http.get(target, headers={"X-Forwarded-Proto": "https"})
        assert behind_tls.status_code == 200 and behind_tls.text == "hello"


def test_geo_restriction_by_the_viewer_country_header(cf, overcast_server):
    bucket = _bucket(overcast_server, **{"page.html": b"hello"})
    restrictions = {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 2, "Items": ["DE", "FR"]}}
    dist = _distribution(cf, [s3_origin(bucket)], behaviour("s3"), Restrictions=restrictions)
    target = url(overcast_server, dist["Id"], "/page.html")
    with httpx.Client(timeout=60) as http:
        blocked = http.get(target, headers={"X-Overcast-Viewer-Country": "us"})
        assert blocked.status_code == 403 and "block access from your country" in blocked.text
        assert http.get(target, headers={"X-Overcast-Viewer-Country": "DE"}).status_code == 200
        assert http.get(target).status_code == 200  # a viewer CloudFront cannot place is served


def _signed_setup(cf, overcast_server):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    key_id = cf.create_public_key(PublicKeyConfig={"CallerReference": uuid.uuid4().hex, "Name": uuid.uuid4().hex,
                                                   "EncodedKey": pem})["PublicKey"]["Id"]
    group_id = cf.create_key_group(KeyGroupConfig={"Name": uuid.uuid4().hex, "Items": [key_id]})["KeyGroup"]["Id"]
    bucket = _bucket(overcast_server, **{"private/doc.txt": b"secret"})
    trusting = {**behaviour("s3"), "TrustedKeyGroups": {"Enabled": True, "Quantity": 1, "Items": [group_id]}}
    dist = _distribution(cf, [s3_origin(bucket)], trusting)

    def sign(message: bytes) -> bytes:
        return private.sign(message, padding.PKCS1v15(), hashes.SHA1())

    return dist, CloudFrontSigner(key_id, sign)


def _in(seconds: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)


def _xml_code(answer: httpx.Response) -> str:
    return answer.text.split("<Code>", 1)[1].split("</Code>", 1)[0]


def test_signed_urls_canned_and_custom(cf, overcast_server):
    dist, signer = _signed_setup(cf, overcast_server)
    local = url(overcast_server, dist["Id"], "/private/doc.txt")
    public = f"https://{dist['DomainName']}/private/doc.txt"
    with httpx.Client(timeout=60) as http:
        unsigned = http.get(local)
        assert unsigned.status_code == 403 and _xml_code(unsigned) == "MissingKey"
        for signed_for in (local, public):
            query = signer.generate_presigned_url(signed_for, date_less_than=_in(300)).split("?", 1)[1]
            answer = http.get(f"{local}?{query}")
            assert answer.status_code == 200 and answer.text == "secret"
        expired = signer.generate_presigned_url(local, date_less_than=_in(-60)).split("?", 1)[1]
        assert _xml_code(http.get(f"{local}?{expired}")) == "AccessDenied"
        other_path = signer.generate_presigned_url(local.replace("doc.txt", "x.txt"),
                                                   date_less_than=_in(300)).split("?", 1)[1]
        assert _xml_code(http.get(f"{local}?{other_path}")) == "AccessDenied"
        wildcard = signer.build_policy(f"https://{dist['DomainName']}/private/*", _in(300))
        custom = signer.generate_presigned_url(public, policy=wildcard).split("?", 1)[1]
        assert http.get(f"{local}?{custom}").text == "secret"
        elsewhere = signer.build_policy(public, _in(300), ip_address="203.0.113.0/24")
        refused = signer.generate_presigned_url(public, policy=elsewhere).split("?", 1)[1]
        assert _xml_code(http.get(f"{local}?{refused}")) == "AccessDenied"
        unknown = query.replace(signer.key_id, "KUNKNOWN000000")
        answer = http.get(f"{local}?{unknown}")
        assert answer.status_code == 403 and _xml_code(answer) == "InvalidKey"


def test_signed_cookies(cf, overcast_server):
    dist, signer = _signed_setup(cf, overcast_server)
    local = url(overcast_server, dist["Id"], "/private/doc.txt")
    policy = signer.build_policy(f"https://{dist['DomainName']}/private/*", _in(300))
    query = dict(part.split("=", 1) for part in signer.generate_presigned_url(
        "https://x/", policy=policy).split("?", 1)[1].split("&"))
    cookies = {f"CloudFront-{name}": value for name, value in query.items()}
    answer = httpx.get(local, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}, timeout=60)
    assert answer.status_code == 200 and answer.text == "secret"
    signature = cookies["CloudFront-Signature"]
    tampered = {**cookies, "CloudFront-Signature": ("B" if signature[0] == "A" else "A") + signature[1:]}
    answer = httpx.get(local, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in tampered.items())}, timeout=60)
    assert answer.status_code == 403 and _xml_code(answer) == "AccessDenied"


def test_origin_group_fails_over(cf, overcast_server):
    primary = _bucket(overcast_server, **{"only-primary.txt": b"primary"})
    secondary = _bucket(overcast_server, **{"page.txt": b"from the secondary"})
    group = {"Id": "group", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [403, 404]}},
             "Members": {"Quantity": 2, "Items": [{"OriginId": "primary"}, {"OriginId": "secondary"}]}}
    dist = _distribution(cf, [s3_origin(primary, "primary"), s3_origin(secondary, "secondary")], behaviour("group"),
                         OriginGroups={"Quantity": 1, "Items": [group]})
    with httpx.Client(timeout=60) as http:
        assert http.get(url(overcast_server, dist["Id"], "/only-primary.txt")).text == "primary"
        assert http.get(url(overcast_server, dist["Id"], "/page.txt")).text == "from the secondary"
    unreachable = {**group, "Id": "group2", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}}}
    dist = _distribution(cf, [custom_origin("example.com", "primary"), s3_origin(secondary, "secondary")],
                         behaviour("group2"), OriginGroups={"Quantity": 1, "Items": [unreachable]})
    assert httpx.get(url(overcast_server, dist["Id"], "/page.txt"), timeout=60).text == "from the secondary"


def test_response_headers_policies_apply(cf, overcast_server):
    bucket = _bucket(overcast_server, **{"page.html": b"hello"})
    custom = cf.create_response_headers_policy(ResponseHeadersPolicyConfig={
        "Name": uuid.uuid4().hex,
        "CustomHeadersConfig": {"Quantity": 1, "Items": [{"Header": "X-Team", "Value": "edge", "Override": True}]},
        "RemoveHeadersConfig": {"Quantity": 1, "Items": [{"Header": "Server"}]},
    })["ResponseHeadersPolicy"]["Id"]
    default = {**behaviour("s3"), "ResponseHeadersPolicyId": SECURITY_HEADERS,
               "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
                                  "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}}}
    cors = {**default, "PathPattern": "/cors/*", "ResponseHeadersPolicyId": CORS_WITH_PREFLIGHT}
    mine = {**default, "PathPattern": "/mine/*", "ResponseHeadersPolicyId": custom}
    dist = _distribution(cf, [s3_origin(bucket)], default, CacheBehaviors={"Quantity": 2, "Items": [cors, mine]})
    with httpx.Client(timeout=60) as http:
        secured = http.get(url(overcast_server, dist["Id"], "/page.html"))
        assert secured.headers["strict-transport-security"] == "max-age=31536000"
        assert secured.headers["x-content-type-options"] == "nosniff"
        assert secured.headers["x-frame-options"] == "SAMEORIGIN"
        assert secured.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        preflight = http.options(url(overcast_server, dist["Id"], "/cors/page.html"), headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "PUT"})
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "PUT" in preflight.headers["access-control-allow-methods"].split(",")
        plain = http.get(url(overcast_server, dist["Id"], "/cors/page.html"))
        assert "access-control-allow-origin" not in plain.headers  # not a CORS request
        own = http.get(url(overcast_server, dist["Id"], "/mine/page.html"))
        assert own.headers["x-team"] == "edge" and "server" not in own.headers
