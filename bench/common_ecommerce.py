"""The e-commerce application provisioned by direct boto3 calls: the baseline of its deploy time.

The same resources as the CDK app's template (examples/ecommerce/cdk.out): 4 IAM roles with their
policies, 3 tables, 4 functions, 3 REST APIs (8 resources, 12 Lambda proxy methods, a permission per
method, a deployment and its `prod` stage each), the event bus, the rule and its queue target, the
queue policy, OrderQueue and its dead-letter queue, the event source mapping, and the sample catalog
(written directly, where the stack runs a custom resource).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ecommerce"
REGION = "us-east-1"
ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"Service": "lambda.amazonaws.com"}}]})
ROUTES = {
    "productFunction": {"product": ["GET", "POST"], "product/{id}": ["GET", "PUT", "DELETE"]},
    "basketFunction": {"basket": ["GET", "POST"], "basket/{userName}": ["GET", "DELETE"], "basket/checkout": ["POST"]},
    "orderingFunction": {"order": ["GET"], "order/{userName}": ["GET"]},
}
API_NAMES = {"productFunction": "Product Service", "basketFunction": "Basket Service",
             "orderingFunction": "Order Service"}


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((EXAMPLE / "functions").glob("*.py")):
            archive.write(path, path.name)
    return buffer.getvalue()


def catalog() -> list[dict[str, Any]]:
    """The sample products, as the stack's custom resource receives them."""
    template = json.loads((EXAMPLE / "cdk.out" / "Ecommerce.template.json").read_text())
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudFormation::CustomResource"]
    return json.loads(resource["Properties"]["Products"])  # type: ignore[no-any-return]


def provision(client: Any, account: str, code: bytes, products: list[dict[str, Any]]) -> dict[str, str]:
    """Create the application in `account` with `client(service)`; its API ids by function name."""
    iam, ddb, lam, sqs = client("iam"), client("dynamodb"), client("lambda"), client("sqs")
    roles = {}
    for name in ("productFunction", "basketFunction", "orderingFunction", "seedFunction"):
        role = iam.create_role(RoleName=f"{name}Role", AssumeRolePolicyDocument=ASSUME)["Role"]["Arn"]
        iam.put_role_policy(RoleName=f"{name}Role", PolicyName="default", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}))
        roles[name] = role
    for table, keys in (("product", ["id"]), ("basket", ["userName"]), ("order", ["userName", "orderDate"])):
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"), strict=False)],
                         AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys])
    dlq = sqs.create_queue(QueueName="OrderDeadLetterQueue", Attributes={"MessageRetentionPeriod": "1209600"})
    dlq_arn = _queue_arn(sqs, dlq["QueueUrl"])
    queue = sqs.create_queue(QueueName="OrderQueue", Attributes={"VisibilityTimeout": "30", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    queue_arn = _queue_arn(sqs, queue["QueueUrl"])
    env = {
        "productFunction": {"DYNAMODB_TABLE_NAME": "product", "PRIMARY_KEY": "id"},
        "basketFunction": {"DYNAMODB_TABLE_NAME": "basket", "PRIMARY_KEY": "userName",
                           "EVENT_SOURCE": "com.swn.basket.checkoutbasket", "EVENT_DETAILTYPE": "CheckoutBasket",
                           "EVENT_BUSNAME": "SwnEventBus"},
        "orderingFunction": {"DYNAMODB_TABLE_NAME": "order", "PRIMARY_KEY": "userName", "SORT_KEY": "orderDate"},
        "seedFunction": {},
    }
    arns = {}
    for name, variables in env.items():
        handler = name.removesuffix("Function") + ".handler"
        arns[name] = lam.create_function(FunctionName=name, Runtime="python3.12", Role=roles[name], Handler=handler,
                                         Code={"ZipFile": code}, Environment={"Variables": variables},
                                         Timeout=30 if name == "seedFunction" else 3)["FunctionArn"]
    apis = {name: _rest_api(client("apigateway"), lam, account, API_NAMES[name], arns[name], name, routes)
            for name, routes in ROUTES.items()}
    _event_bus(client("events"), sqs, queue["QueueUrl"], queue_arn)
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="orderingFunction", BatchSize=10,
                                    MaximumBatchingWindowInSeconds=0, FunctionResponseTypes=["ReportBatchItemFailures"])
    ddb.batch_write_item(RequestItems={"product": [{"PutRequest": {"Item": _item(p)}} for p in products]})
    return apis


def _queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # type: ignore[no-any-return]


def _item(product: dict[str, Any]) -> dict[str, Any]:
    return {k: {"N": str(v)} if isinstance(v, int | float) else {"S": str(v)} for k, v in product.items()}


def _rest_api(apigw: Any, lam: Any, account: str, title: str, function_arn: str, function: str,
              routes: dict[str, list[str]]) -> str:
    api = apigw.create_rest_api(name=title)["id"]
    ids = {"": apigw.get_resources(restApiId=api)["items"][0]["id"]}
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    for path, methods in routes.items():
        parent = ""
        for part in path.split("/"):
            here = f"{parent}/{part}".lstrip("/")
            if here not in ids:
                ids[here] = apigw.create_resource(restApiId=api, parentId=ids[parent], pathPart=part)["id"]
            parent = here
        for method in methods:
            apigw.put_method(restApiId=api, resourceId=ids[path], httpMethod=method, authorizationType="NONE")
            apigw.put_integration(restApiId=api, resourceId=ids[path], httpMethod=method, type="AWS_PROXY",
                                  integrationHttpMethod="POST", uri=uri)
            lam.add_permission(FunctionName=function, StatementId=f"{api}-{method}-{path.replace('/', '-')}"
                               .replace("{", "").replace("}", ""), Action="lambda:InvokeFunction",
                               Principal="apigateway.amazonaws.com",
                               SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api}/*/{method}/{path}")
    apigw.create_deployment(restApiId=api, stageName="prod")
    return api  # type: ignore[no-any-return]


def _event_bus(events: Any, sqs: Any, queue_url: str, queue_arn: str) -> None:
    events.create_event_bus(Name="SwnEventBus")
    rule = events.put_rule(Name="CheckoutBasketRule", EventBusName="SwnEventBus", State="ENABLED",
                           EventPattern=json.dumps({"source": ["com.swn.basket.checkoutbasket"],
                                                    "detail-type": ["CheckoutBasket"]}))
    events.put_targets(Rule="CheckoutBasketRule", EventBusName="SwnEventBus",
                       Targets=[{"Id": "Target0", "Arn": queue_arn}])
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule["RuleArn"]}}}]})})
