"""AWS::CloudFront::PublicKey, ::KeyGroup, ::ResponseHeadersPolicy, ::OriginRequestPolicy,
::CloudFrontOriginAccessIdentity and ::KeyValueStore through CloudFormation (the shapes CDK's
`cloudfront.PublicKey`, `KeyGroup`, `ResponseHeadersPolicy`... write), deleted with the stack."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.cloudformation.helpers import create, outputs, unique, wait


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _template(name: str) -> dict:
    return {
        "Resources": {
            "Key": {"Type": "AWS::CloudFront::PublicKey", "Properties": {"PublicKeyConfig": {
                "CallerReference": name, "Name": f"{name}-key", "EncodedKey": _pem()}}},
            "Group": {"Type": "AWS::CloudFront::KeyGroup", "Properties": {"KeyGroupConfig": {
                "Name": f"{name}-group", "Items": [{"Ref": "Key"}]}}},
            "Headers": {"Type": "AWS::CloudFront::ResponseHeadersPolicy", "Properties": {
                "ResponseHeadersPolicyConfig": {
                    "Name": f"{name}-headers",
                    "CorsConfig": {"AccessControlAllowCredentials": False, "OriginOverride": True,
                                   "AccessControlAllowHeaders": {"Items": ["*"]},
                                   "AccessControlAllowMethods": {"Items": ["GET", "HEAD"]},
                                   "AccessControlAllowOrigins": {"Items": ["https://app.example"]}},
                    "CustomHeadersConfig": {"Items": [{"Header": "X-Team", "Value": "web", "Override": True}]}}}},
            "Forwarding": {"Type": "AWS::CloudFront::OriginRequestPolicy", "Properties": {
                "OriginRequestPolicyConfig": {
                    "Name": f"{name}-origin", "CookiesConfig": {"CookieBehavior": "none"},
                    "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["x-tenant"]},
                    "QueryStringsConfig": {"QueryStringBehavior": "all"}}}},
            "Identity": {"Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity", "Properties": {
                "CloudFrontOriginAccessIdentityConfig": {"Comment": "site"}}},
            "Store": {"Type": "AWS::CloudFront::KeyValueStore", "Properties": {"Name": f"{name}-kvs",
                                                                               "Comment": "flags"}},
        },
        "Outputs": {"Group": {"Value": {"Ref": "Group"}}, "Headers": {"Value": {"Ref": "Headers"}},
                    "Forwarding": {"Value": {"Ref": "Forwarding"}},
                    "Canonical": {"Value": {"Fn::GetAtt": ["Identity", "S3CanonicalUserId"]}},
                    "StoreArn": {"Value": {"Fn::GetAtt": ["Store", "Arn"]}}},
    }


def test_keys_policies_and_stores_stack(cf, overcast_server):
    name = unique("cfk")
    stack = create(cf, _template(name), name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = outputs(stack)
    cloudfront = overcast_server.client("cloudfront")
    group = cloudfront.get_key_group(Id=out["Group"])["KeyGroup"]["KeyGroupConfig"]
    assert group["Name"] == f"{name}-group" and len(group["Items"]) == 1
    policy = cloudfront.get_response_headers_policy_config(Id=out["Headers"])["ResponseHeadersPolicyConfig"]
    assert policy["CorsConfig"]["AccessControlAllowOrigins"] == {"Quantity": 1, "Items": ["https://app.example"]}
    forwarding = cloudfront.get_origin_request_policy_config(Id=out["Forwarding"])["OriginRequestPolicyConfig"]
    assert forwarding["HeadersConfig"]["Headers"] == {"Quantity": 1, "Items": ["x-tenant"]}
    assert len(out["Canonical"]) == 96 and out["StoreArn"].startswith("arn:aws:cloudfront::")
    cf.delete_stack(StackName=name)
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError):
        cloudfront.get_key_group(Id=out["Group"])
    assert f"{name}-key" not in [k["Name"] for k in cloudfront.list_public_keys()["PublicKeyList"].get("Items", [])]
