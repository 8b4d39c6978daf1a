"""Set-up shared by the front-door tests: functions, REST APIs and HTTP clients."""

from __future__ import annotations

import uuid

import httpx

from overcast.testing import create_function

ECHO = """
import base64, json
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"event": event})}
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def function_arn(lam, name: str) -> str:
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def lambda_uri(region: str, function_arn: str) -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def echo_function(lam, source: str = ECHO, **kwargs) -> str:
    return create_function(lam, source, **kwargs)


def rest_proxy_api(apigw, lam, source: str = ECHO, stage: str = "test", **method_kwargs):
    """A REST API with `/{proxy+}` and `/` (ANY, AWS_PROXY) deployed to `stage`: (api id, fn name)."""
    name = echo_function(lam, source)
    uri = lambda_uri(apigw.meta.region_name, function_arn(lam, name))
    api = apigw.create_rest_api(name=unique("api"))
    root = api["rootResourceId"]
    proxy = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    for resource_id in (root, proxy["id"]):
        apigw.put_method(restApiId=api["id"], resourceId=resource_id, httpMethod="ANY",
                         authorizationType=method_kwargs.get("authorizationType", "NONE"),
                         **{k: v for k, v in method_kwargs.items() if k != "authorizationType"})
        apigw.put_integration(restApiId=api["id"], resourceId=resource_id, httpMethod="ANY", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=uri)
    apigw.create_deployment(restApiId=api["id"], stageName=stage)
    return api["id"], name


def client(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=60)
