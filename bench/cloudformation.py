"""CloudFormation deploy time: a representative stack (function + queue + table + REST API with a
Lambda proxy method, deployment and stage) created through CreateStack and waited for, against the
same resources created with direct boto3 calls (the baseline), on the same overcast, alternating.
Also `overcast deploy` of that template end to end (a fresh process: Python start-up included).

    PYTHONPATH=src python bench/cloudformation.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROLE = "arn:aws:iam::000000000000:role/bench"
CODE = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def template() -> dict:
    return {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": CODE},
            "Environment": {"Variables": {"QUEUE": {"Ref": "Queue"}, "TABLE": {"Ref": "Table"}}}}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "bench"}},
        "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"}},
        "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "GET", "AuthorizationType": "NONE",
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": {"Fn::Sub":
                "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
        "Allow": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get",
                       "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}},
    }}


def clients(url: str) -> dict:
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 1}, read_timeout=120)
    return {name: boto3.client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                               aws_secret_access_key="test", config=config)
            for name in ("cloudformation", "sqs", "dynamodb", "lambda", "apigateway")}


def via_cloudformation(c: dict) -> float:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    start = time.perf_counter()
    stack_id = c["cloudformation"].create_stack(StackName=name, TemplateBody=json.dumps(template()))["StackId"]
    while True:
        status = c["cloudformation"].describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    assert status == "CREATE_COMPLETE", status
    c["cloudformation"].delete_stack(StackName=stack_id)
    return elapsed


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", CODE)
    return buffer.getvalue()


def direct(c: dict) -> float:
    """The same resources with the calls a script would make (what CloudFormation saves you)."""
    tag = uuid.uuid4().hex[:8]
    start = time.perf_counter()
    queue = c["sqs"].create_queue(QueueName=f"bench-q-{tag}")["QueueUrl"]
    c["dynamodb"].create_table(TableName=f"bench-t-{tag}", BillingMode="PAY_PER_REQUEST",
                               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    fn = c["lambda"].create_function(FunctionName=f"bench-f-{tag}", Runtime="python3.12", Role=ROLE,
                                     Handler="index.handler", Code={"ZipFile": _zip()},
                                     Environment={"Variables": {"QUEUE": queue, "TABLE": f"bench-t-{tag}"}})
    gw = c["apigateway"]
    api = gw.create_rest_api(name="bench")["id"]
    root = next(r["id"] for r in gw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    items = gw.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
    gw.put_method(restApiId=api, resourceId=items, httpMethod="GET", authorizationType="NONE")
    gw.put_integration(restApiId=api, resourceId=items, httpMethod="GET", type="AWS_PROXY",
                       integrationHttpMethod="POST",
                       uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn['FunctionArn']}/invocations")
    c["lambda"].add_permission(FunctionName=f"bench-f-{tag}", StatementId="allow", Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com")
    gw.create_deployment(restApiId=api, stageName="prod")
    elapsed = time.perf_counter() - start
    c["sqs"].delete_queue(QueueUrl=queue)
    c["dynamodb"].delete_table(TableName=f"bench-t-{tag}")
    c["lambda"].delete_function(FunctionName=f"bench-f-{tag}")
    gw.delete_rest_api(restApiId=api)
    return elapsed


def overcast_deploy(url: str, path: str) -> float:
    env = {**os.environ, "AWS_ENDPOINT_URL": url}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "overcast", "deploy", path, "--stack-name",
                    f"bench-{uuid.uuid4().hex[:8]}"], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    from overcast.testing import OvercastServer

    with OvercastServer(in_memory=True) as server:
        c = clients(server.url)
        via_cloudformation(c), direct(c)  # warm up both paths (imports, first environment)
        stack_times, direct_times = [], []
        for _ in range(args.rounds):
            stack_times.append(via_cloudformation(c))
            direct_times.append(direct(c))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(template(), f)
        deploy_times = [overcast_deploy(server.url, f.name) for _ in range(max(3, args.rounds // 3))]
        os.unlink(f.name)
    cf_ms = statistics.median(stack_times) * 1000
    direct_ms = statistics.median(direct_times) * 1000
    deploy_ms = statistics.median(deploy_times) * 1000
    print("stack: function + queue + table + REST API (resource, method, permission, deployment + stage)")
    print(f"CreateStack until CREATE_COMPLETE   median {cf_ms:8.1f} ms  (min {min(stack_times) * 1000:.1f})")
    print(f"direct boto3 calls (baseline)       median {direct_ms:8.1f} ms  (min {min(direct_times) * 1000:.1f})")
    print(f"ratio                                      {cf_ms / direct_ms:8.2f}x")
    print(f"overcast deploy (new process)       median {deploy_ms:8.1f} ms")


if __name__ == "__main__":
    main()
