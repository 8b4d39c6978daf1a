"""CloudFront's control plane through boto3: distributions and AWS's ETag rules, deployment
status, managed policies, origin access controls, invalidations, Lambda@Edge association checks."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until

from .helpers import CACHING_DISABLED, CACHING_OPTIMIZED, behaviour, config, s3_origin


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudfront")


def _create(cf, **extra):
    return cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3"), **extra))


def test_create_get_list_and_the_domain_name(cf):
    created = _create(cf)
    dist = created["Distribution"]
    assert dist["Id"].startswith("E") and len(dist["Id"]) == 14
    assert dist["DomainName"] == f"{dist['Id'].lower()}.cloudfront.net"
    assert dist["ARN"].endswith(f":distribution/{dist['Id']}")
    assert dist["Status"] == "InProgress"
    assert created["ETag"] and created["Location"].endswith(f"/2020-05-31/distribution/{dist['Id']}")
    got = cf.get_distribution(Id=dist["Id"])
    assert got["ETag"] == created["ETag"]
    assert got["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]["Id"] == "s3"
    assert cf.get_distribution_config(Id=dist["Id"])["DistributionConfig"]["Comment"] == "test"
    ids = [d["Id"] for d in cf.list_distributions()["DistributionList"].get("Items", [])]
    assert dist["Id"] in ids
    wait_until(lambda: cf.get_distribution(Id=dist["Id"])["Distribution"]["Status"] == "Deployed", 60,
               "the distribution deployed")


def test_etag_rules_on_update_and_delete(cf):
    created = _create(cf)
    dist_id, etag = created["Distribution"]["Id"], created["ETag"]
    conf = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    with pytest.raises(ClientError) as missing:
        cf.update_distribution(Id=dist_id, DistributionConfig=conf, IfMatch="")
    assert missing.value.response["Error"]["Code"] == "InvalidIfMatchVersion"
    with pytest.raises(ClientError) as stale:
        cf.update_distribution(Id=dist_id, DistributionConfig=conf, IfMatch="EWRONG")
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    assert stale.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(ClientError) as enabled:
        cf.delete_distribution(Id=dist_id, IfMatch=etag)
    assert enabled.value.response["Error"]["Code"] == "DistributionNotDisabled"
    assert enabled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    conf["Enabled"] = False
    updated = cf.update_distribution(Id=dist_id, DistributionConfig=conf, IfMatch=etag)
    assert updated["ETag"] != etag
    assert updated["Distribution"]["Status"] == "InProgress"
    with pytest.raises(ClientError) as old:
        cf.delete_distribution(Id=dist_id, IfMatch=etag)
    assert old.value.response["Error"]["Code"] == "PreconditionFailed"
    wait_until(lambda: cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "Deployed", 60, "deployed")
    cf.delete_distribution(Id=dist_id, IfMatch=updated["ETag"])
    with pytest.raises(ClientError) as gone:
        cf.get_distribution(Id=dist_id)
    assert gone.value.response["Error"]["Code"] == "NoSuchDistribution"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_caller_reference_cannot_change_or_repeat(cf):
    created = _create(cf)
    conf = cf.get_distribution_config(Id=created["Distribution"]["Id"])["DistributionConfig"]
    with pytest.raises(ClientError) as again:
        cf.create_distribution(DistributionConfig=conf)
    assert again.value.response["Error"]["Code"] == "DistributionAlreadyExists"
    conf["CallerReference"] = "other"
    with pytest.raises(ClientError) as changed:
        cf.update_distribution(Id=created["Distribution"]["Id"], DistributionConfig=conf, IfMatch=created["ETag"])
    assert changed.value.response["Error"]["Code"] == "IllegalUpdate"


def test_behaviour_targeting_an_unknown_origin(cf):
    with pytest.raises(ClientError) as err:
        cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("nope")))
    assert err.value.response["Error"]["Code"] == "NoSuchOrigin"


@pytest.mark.parametrize("suffix", ["", ":$LATEST", ":live"])
def test_lambda_edge_needs_a_published_version(cf, overcast_server, suffix):
    lam = overcast_server.client("lambda")
    name = create_function(lam, "def handler(e, c):\n    return e['Records'][0]['cf']['request']\n")
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] + suffix
    edge = [{"LambdaFunctionARN": arn, "EventType": "viewer-request"}]
    with pytest.raises(ClientError) as err:
        cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3", edge=edge)))
    assert err.value.response["Error"]["Code"] == "InvalidLambdaFunctionAssociation"
    assert arn in err.value.response["Error"]["Message"]


def test_managed_cache_policies_are_listed_with_their_ids(cf):
    listed = cf.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]
    names = {p["CachePolicy"]["Id"]: p["CachePolicy"]["CachePolicyConfig"]["Name"] for p in listed}
    assert names[CACHING_OPTIMIZED] == "Managed-CachingOptimized"
    assert names[CACHING_DISABLED] == "Managed-CachingDisabled"
    got = cf.get_cache_policy(Id=CACHING_DISABLED)["CachePolicy"]["CachePolicyConfig"]
    assert (got["MinTTL"], got["DefaultTTL"], got["MaxTTL"]) == (0, 0, 0)
    origin = cf.list_origin_request_policies(Type="managed")["OriginRequestPolicyList"]["Items"]
    assert "216adef6-5c7f-47e4-b989-5492eafa07d3" in {p["OriginRequestPolicy"]["Id"] for p in origin}
    with pytest.raises(ClientError) as err:
        cf.get_cache_policy(Id=str(uuid.uuid4()))
    assert err.value.response["Error"]["Code"] == "NoSuchCachePolicy"


def test_custom_cache_policy_lifecycle(cf):
    name = f"p-{uuid.uuid4().hex[:8]}"
    created = cf.create_cache_policy(CachePolicyConfig={
        "Name": name, "MinTTL": 0, "DefaultTTL": 5, "MaxTTL": 10,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}}})
    policy_id = created["CachePolicy"]["Id"]
    custom = cf.list_cache_policies(Type="custom")["CachePolicyList"]["Items"]
    assert policy_id in [p["CachePolicy"]["Id"] for p in custom]
    with pytest.raises(ClientError) as stale:
        cf.delete_cache_policy(Id=policy_id, IfMatch="EWRONG")
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    cf.delete_cache_policy(Id=policy_id, IfMatch=created["ETag"])


def test_origin_access_control_lifecycle(cf):
    name = f"oac-{uuid.uuid4().hex[:8]}"
    created = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": name, "SigningProtocol": "sigv4", "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"})
    oac_id = created["OriginAccessControl"]["Id"]
    assert cf.get_origin_access_control(Id=oac_id)["OriginAccessControl"]["OriginAccessControlConfig"]["Name"] == name
    listed = cf.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert oac_id in [o["Id"] for o in listed]
    with pytest.raises(ClientError) as dup:
        cf.create_origin_access_control(OriginAccessControlConfig={
            "Name": name, "SigningProtocol": "sigv4", "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3"})
    assert dup.value.response["Error"]["Code"] == "OriginAccessControlAlreadyExists"
    cf.delete_origin_access_control(Id=oac_id, IfMatch=created["ETag"])
    with pytest.raises(ClientError) as gone:
        cf.get_origin_access_control(Id=oac_id)
    assert gone.value.response["Error"]["Code"] == "NoSuchOriginAccessControl"


def test_invalidations(cf):
    dist_id = _create(cf)["Distribution"]["Id"]
    created = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch={
        "Paths": {"Quantity": 2, "Items": ["/index.html", "/img/*"]}, "CallerReference": "r1"})["Invalidation"]
    assert created["Id"].startswith("I") and created["Status"] == "InProgress"
    wait_until(lambda: cf.get_invalidation(DistributionId=dist_id, Id=created["Id"])["Invalidation"]["Status"]
               == "Completed", 60, "the invalidation completed")
    listed = cf.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert [i["Id"] for i in listed["Items"]] == [created["Id"]]
    with pytest.raises(ClientError) as bad:
        cf.create_invalidation(DistributionId=dist_id, InvalidationBatch={
            "Paths": {"Quantity": 3, "Items": ["/a"]}, "CallerReference": "r2"})
    assert bad.value.response["Error"]["Code"] == "InconsistentQuantities"
    with pytest.raises(ClientError) as missing:
        cf.create_invalidation(DistributionId="ENOPE", InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/a"]}, "CallerReference": "r3"})
    assert missing.value.response["Error"]["Code"] == "NoSuchDistribution"


def test_lambda_edge_version_must_exist_and_have_no_environment(cf, overcast_server):
    lam = overcast_server.client("lambda")
    name = create_function(lam, "def handler(e, c):\n    return e['Records'][0]['cf']['request']\n",
                           Environment={"Variables": {"STAGE": "prod"}})
    version = lam.publish_version(FunctionName=name)["FunctionArn"]

    def refused(arn: str) -> str:
        edge = [{"LambdaFunctionARN": arn, "EventType": "viewer-request"}]
        with pytest.raises(ClientError) as err:
            cf.create_distribution(DistributionConfig=config([s3_origin("b")], behaviour("s3", edge=edge)))
        assert err.value.response["Error"]["Code"] == "InvalidLambdaFunctionAssociation"
        return str(err.value.response["Error"]["Message"])

    assert "environment variables" in refused(version)
    assert "existing function version" in refused(version.rsplit(":", 1)[0] + ":99")
