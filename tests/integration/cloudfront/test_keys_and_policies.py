"""CloudFront's public keys, key groups, response headers policies, policy updates, origin access
identities and the ListDistributionsBy... look-ups, through boto3."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .helpers import behaviour, config, s3_origin

SIMPLE_CORS = "60669652-455b-4ae9-85a4-c4c02393f86c"


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudfront")


def _pem(key=None) -> str:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _public_key(cf, pem: str | None = None) -> dict:
    return cf.create_public_key(PublicKeyConfig={"CallerReference": uuid.uuid4().hex, "Name": uuid.uuid4().hex,
                                                 "EncodedKey": pem or _pem()})


def _code(excinfo) -> tuple[str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


def test_public_key_create_get_list_update(cf):
    pem = _pem()
    created = _public_key(cf, pem.rstrip("\n"))
    key = created["PublicKey"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert key["Id"].startswith("K") and len(key["Id"]) == 14
    assert created["Location"] == f"https://cloudfront.amazonaws.com/2020-05-31/public-key/{key['Id']}"
    assert key["PublicKeyConfig"]["EncodedKey"] == pem  # kept with its final newline
    assert key["PublicKeyConfig"]["Comment"] == ""
    got = cf.get_public_key(Id=key["Id"])
    assert got["ETag"] == created["ETag"]
    listed = cf.list_public_keys()["PublicKeyList"]
    assert listed["Quantity"] == 1 and listed["Items"][0]["Id"] == key["Id"]
    new_config = {**key["PublicKeyConfig"], "Comment": "rotated"}
    updated = cf.update_public_key(Id=key["Id"], IfMatch=created["ETag"], PublicKeyConfig=new_config)
    assert updated["PublicKey"]["PublicKeyConfig"]["Comment"] == "rotated" and updated["ETag"] != created["ETag"]
    with pytest.raises(ClientError) as excinfo:
        cf.update_public_key(Id=key["Id"], IfMatch=updated["ETag"], PublicKeyConfig={**new_config, "Name": "x"})
    assert _code(excinfo) == ("CannotChangeImmutablePublicKeyFields", 400)
    with pytest.raises(ClientError) as excinfo:
        cf.get_public_key(Id="KNOTAKEY000000")
    assert _code(excinfo) == ("NoSuchPublicKey", 404)


def test_public_keys_must_be_rsa_pem(cf):
    for bad in ("some data", _pem(ec.generate_private_key(ec.SECP256R1()))):
        with pytest.raises(ClientError) as excinfo:
            _public_key(cf, bad)
        assert _code(excinfo) == ("InvalidArgument", 400)


def test_key_groups_and_a_distribution_trusting_one(cf):
    key = _public_key(cf)["PublicKey"]
    with pytest.raises(ClientError) as excinfo:
        cf.create_key_group(KeyGroupConfig={"Name": "g", "Items": ["KNOTAKEY000000"]})
    assert _code(excinfo)[0] == "InvalidArgument"
    group = cf.create_key_group(KeyGroupConfig={"Name": "g", "Items": [key["Id"]]})
    group_id = group["KeyGroup"]["Id"]
    assert cf.get_key_group_config(Id=group_id)["KeyGroupConfig"]["Items"] == [key["Id"]]
    assert cf.list_key_groups()["KeyGroupList"]["Items"][0]["KeyGroup"]["Id"] == group_id

    trusting = {**behaviour("s3"), "TrustedKeyGroups": {"Enabled": True, "Quantity": 1, "Items": [group_id]}}
    dist = cf.create_distribution(DistributionConfig=config([s3_origin("b")], trusting))["Distribution"]
    assert dist["ActiveTrustedKeyGroups"] == {
        "Enabled": True, "Quantity": 1,
        "Items": [{"KeyGroupId": group_id, "KeyPairIds": {"Quantity": 1, "Items": [key["Id"]]}}]}
    assert cf.list_distributions_by_key_group(KeyGroupId=group_id)["DistributionIdList"]["Items"] == [dist["Id"]]

    with pytest.raises(ClientError) as excinfo:
        cf.delete_public_key(Id=key["Id"], IfMatch=cf.get_public_key(Id=key["Id"])["ETag"])
    assert _code(excinfo) == ("PublicKeyInUse", 409)
    with pytest.raises(ClientError) as excinfo:
        cf.delete_key_group(Id=group_id, IfMatch=group["ETag"])
    assert _code(excinfo) == ("ResourceInUse", 409)

    unknown = {**behaviour("s3"), "TrustedKeyGroups": {"Enabled": True, "Quantity": 1, "Items": ["nope"]}}
    with pytest.raises(ClientError) as excinfo:
        cf.create_distribution(DistributionConfig=config([s3_origin("b")], unknown))
    assert _code(excinfo)[0] == "TrustedKeyGroupDoesNotExist"


def test_response_headers_policies(cf):
    managed = cf.list_response_headers_policies(Type="managed")["ResponseHeadersPolicyList"]["Items"]
    assert SIMPLE_CORS in [p["ResponseHeadersPolicy"]["Id"] for p in managed]
    policy_config = {"Name": "custom", "CustomHeadersConfig": {"Quantity": 1, "Items": [
        {"Header": "X-Edge", "Value": "yes", "Override": True}]}}
    created = cf.create_response_headers_policy(ResponseHeadersPolicyConfig=policy_config)
    policy_id = created["ResponseHeadersPolicy"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cf.create_response_headers_policy(ResponseHeadersPolicyConfig=policy_config)
    assert _code(excinfo) == ("ResponseHeadersPolicyAlreadyExists", 409)
    updated = cf.update_response_headers_policy(Id=policy_id, IfMatch=created["ETag"], ResponseHeadersPolicyConfig={
        **policy_config, "Comment": "v2"})
    assert cf.get_response_headers_policy_config(Id=policy_id)["ResponseHeadersPolicyConfig"]["Comment"] == "v2"

    using = {**behaviour("s3"), "ResponseHeadersPolicyId": policy_id}
    dist = cf.create_distribution(DistributionConfig=config([s3_origin("b")], using))["Distribution"]
    by_policy = cf.list_distributions_by_response_headers_policy_id(ResponseHeadersPolicyId=policy_id)
    assert by_policy["DistributionIdList"]["Items"] == [dist["Id"]]
    with pytest.raises(ClientError) as excinfo:
        cf.delete_response_headers_policy(Id=policy_id, IfMatch=updated["ETag"])
    assert _code(excinfo) == ("ResponseHeadersPolicyInUse", 409)
    with pytest.raises(ClientError) as excinfo:
        cf.create_distribution(DistributionConfig=config([s3_origin("b")], {**behaviour("s3"),
                                                                             "ResponseHeadersPolicyId": "nope"}))
    assert _code(excinfo) == ("NoSuchResponseHeadersPolicy", 404)


def test_update_cache_policy_and_list_distributions_by_it(cf):
    policy_config = {"Name": "mine", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600,
                     "ParametersInCacheKeyAndForwardedToOrigin": {
                         "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
                         "CookiesConfig": {"CookieBehavior": "none"},
                         "QueryStringsConfig": {"QueryStringBehavior": "none"}}}
    created = cf.create_cache_policy(CachePolicyConfig=policy_config)
    policy_id = created["CachePolicy"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        cf.update_cache_policy(Id=policy_id, IfMatch="ESTALE0000000", CachePolicyConfig=policy_config)
    assert _code(excinfo) == ("PreconditionFailed", 412)
    updated = cf.update_cache_policy(Id=policy_id, IfMatch=created["ETag"],
                                     CachePolicyConfig={**policy_config, "DefaultTTL": 120})
    assert updated["CachePolicy"]["CachePolicyConfig"]["DefaultTTL"] == 120
    dist = cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3", policy=policy_id)))
    by_policy = cf.list_distributions_by_cache_policy_id(CachePolicyId=policy_id)["DistributionIdList"]
    assert by_policy["Items"] == [dist["Distribution"]["Id"]] and by_policy["Quantity"] == 1


def test_origin_access_identities(cf):
    created = cf.create_cloud_front_origin_access_identity(
        CloudFrontOriginAccessIdentityConfig={"CallerReference": "r1", "Comment": "for the bucket"})
    oai = created["CloudFrontOriginAccessIdentity"]
    assert len(oai["S3CanonicalUserId"]) == 96
    with pytest.raises(ClientError) as excinfo:
        cf.create_cloud_front_origin_access_identity(
            CloudFrontOriginAccessIdentityConfig={"CallerReference": "r1", "Comment": "again"})
    assert _code(excinfo) == ("CloudFrontOriginAccessIdentityAlreadyExists", 409)
    listed = cf.list_cloud_front_origin_access_identities()["CloudFrontOriginAccessIdentityList"]
    assert listed["Items"][0]["Comment"] == "for the bucket"
    origin = {**s3_origin("b"), "S3OriginConfig": {"OriginAccessIdentity": f"origin-access-identity/cloudfront/"
                                                                          f"{oai['Id']}"}}
    cf.create_distribution(DistributionConfig=config([origin], behaviour("s3")))
    with pytest.raises(ClientError) as excinfo:
        cf.delete_cloud_front_origin_access_identity(Id=oai["Id"], IfMatch=created["ETag"])
    assert _code(excinfo) == ("CloudFrontOriginAccessIdentityInUse", 409)
