"""AWS::CloudFront::Distribution, ::Function and ::OriginAccessControl through CloudFormation, in
the shapes CDK's `cloudfront.Distribution` writes (plain arrays, `IPV6Enabled`, Lambda@Edge via an
`AWS::Lambda::Version`), served by the data plane, and deleted with the stack."""

from __future__ import annotations

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudformation.helpers import create, outputs, unique, wait

EDGE = """
def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    request["headers"]["x-from-stack"] = [{"key": "X-From-Stack", "value": "yes"}]
    return request
"""
CF_FUNCTION = """function handler(event) {
  var response = event.response;
  response.headers['x-cf-function'] = { value: 'stack' };
  return response;
}"""


def template(bucket: str) -> dict:
    return {
        "Resources": {
            "Site": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
                    "Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}}]}}},
            "EdgeFn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                "Code": {"ZipFile": EDGE}}},
            "EdgeFnVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "EdgeFn"}}},
            "Headers": {"Type": "AWS::CloudFront::Function", "Properties": {
                "Name": {"Fn::Sub": "${AWS::StackName}-headers"}, "AutoPublish": True, "FunctionCode": CF_FUNCTION,
                "FunctionConfig": {"Comment": "add a header", "Runtime": "cloudfront-js-2.0"}}},
            "Oac": {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {"OriginAccessControlConfig": {
                "Name": {"Fn::Sub": "${AWS::StackName}-oac"}, "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always", "SigningProtocol": "sigv4"}}},
            "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
                "Enabled": True, "HttpVersion": "http2", "IPV6Enabled": True, "DefaultRootObject": "index.html",
                "Origins": [{"Id": "origin1", "DomainName": {"Fn::GetAtt": ["Site", "RegionalDomainName"]},
                             "S3OriginConfig": {"OriginAccessIdentity": ""},
                             "OriginAccessControlId": {"Fn::GetAtt": ["Oac", "Id"]}}],
                "DefaultCacheBehavior": {
                    "TargetOriginId": "origin1", "ViewerProtocolPolicy": "redirect-to-https", "Compress": True,
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
                    "AllowedMethods": ["GET", "HEAD", "OPTIONS"], "CachedMethods": ["GET", "HEAD"],
                    "LambdaFunctionAssociations": [{"EventType": "viewer-request", "IncludeBody": False,
                                                    "LambdaFunctionARN": {"Ref": "EdgeFnVersion"}}],
                    "FunctionAssociations": [{"EventType": "viewer-response",
                                              "FunctionARN": {"Fn::GetAtt": ["Headers", "FunctionARN"]}}]},
                "CustomErrorResponses": [{"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"}],
            }}},
        },
        "Outputs": {"Id": {"Value": {"Ref": "Cdn"}}, "Domain": {"Value": {"Fn::GetAtt": ["Cdn", "DomainName"]}}},
    }


def test_distribution_stack_serves_and_deletes(cf, overcast_server):
    bucket = unique("cfsite").lower()
    name = unique("cfstk")
    stack = create(cf, template(bucket), name, Capabilities=["CAPABILITY_IAM"])
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    out = outputs(stack)
    assert out["Domain"] == f"{out['Id'].lower()}.cloudfront.net"
    overcast_server.client("s3").put_object(Bucket=bucket, Key="index.html", Body=b"from the stack")
    cloudfront = overcast_server.client("cloudfront")
    behaviour = cloudfront.get_distribution_config(Id=out["Id"])["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["AllowedMethods"]["Items"] == ["GET", "HEAD", "OPTIONS"]
    assert behaviour["AllowedMethods"]["CachedMethods"]["Items"] == ["GET", "HEAD"]
    plain = httpx.get(f"{overcast_server.url}/_aws/cloudfront/{out['Id']}/", timeout=120)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")  # redirect-to-https
    answer = httpx.get(f"{overcast_server.url}/_aws/cloudfront/{out['Id']}/", timeout=120,
                       headers={"X-Forwarded-Proto": "https"})
    assert answer.status_code == 200 and answer.text == "from the stack"
    assert answer.headers["x-cf-function"] == "stack"
    cf.delete_stack(StackName=name)
    wait(cf, name)
    with pytest.raises(ClientError) as gone:
        cloudfront.get_distribution(Id=out["Id"])
    assert gone.value.response["Error"]["Code"] == "NoSuchDistribution"
