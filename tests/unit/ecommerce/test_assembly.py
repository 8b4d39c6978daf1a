"""The committed cloud assemblies (examples/ecommerce/cdk.out, cdk.out-direct) are what the CDK app
synthesizes: the current handler code, and the resources of the reference stack. `python
examples/ecommerce/synth.py` refreshes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ecommerce"
ASSEMBLIES = {"cdk.out": "queue", "cdk.out-direct": "direct"}


def template(folder: str) -> dict[str, Any]:
    return json.loads((EXAMPLE / folder / "Ecommerce.template.json").read_text())  # type: ignore[no-any-return]


def of_type(tpl: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in tpl["Resources"].values() if r["Type"] == kind]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.mark.parametrize("folder", ASSEMBLIES)
def test_the_assembly_holds_the_current_handler_code(folder):
    manifest = json.loads((EXAMPLE / folder / "Ecommerce.assets.json").read_text())
    zips = [a["source"]["path"] for a in manifest["files"].values() if a["source"]["packaging"] == "zip"]
    assert len(zips) == 1, "the four functions share one code asset"
    asset = EXAMPLE / folder / zips[0]
    assert asset.is_symlink() and asset.resolve() == (EXAMPLE / "functions").resolve(), \
        "the code asset should link to functions/: run `python examples/ecommerce/synth.py`"
    assert files(asset) == files(EXAMPLE / "functions")


@pytest.mark.parametrize("folder", ASSEMBLIES)
def test_tables_functions_and_apis_mirror_the_reference_stack(folder):
    tpl = template(folder)
    keys = {t["TableName"]: [(k["AttributeName"], k["KeyType"]) for k in t["KeySchema"]]
            for t in of_type(tpl, "AWS::DynamoDB::Table")}
    assert keys == {"product": [("id", "HASH")], "basket": [("userName", "HASH")],
                    "order": [("userName", "HASH"), ("orderDate", "RANGE")]}
    assert {t["BillingMode"] for t in of_type(tpl, "AWS::DynamoDB::Table")} == {"PAY_PER_REQUEST"}
    env = {f["FunctionName"]: f.get("Environment", {}).get("Variables", {})
           for f in of_type(tpl, "AWS::Lambda::Function") if "FunctionName" in f}
    assert env["basketFunction"]["EVENT_SOURCE"] == "com.swn.basket.checkoutbasket"
    assert env["basketFunction"]["EVENT_DETAILTYPE"] == "CheckoutBasket"
    assert env["basketFunction"]["EVENT_BUSNAME"] == "SwnEventBus"
    assert env["orderingFunction"]["SORT_KEY"] == "orderDate"
    assert {"DYNAMODB_TABLE_NAME", "PRIMARY_KEY"} <= set(env["productFunction"])
    assert sorted(a["Name"] for a in of_type(tpl, "AWS::ApiGateway::RestApi")) == \
        ["Basket Service", "Order Service", "Product Service"]
    assert sorted(m["HttpMethod"] for m in of_type(tpl, "AWS::ApiGateway::Method")) == \
        sorted(["GET", "POST", "GET", "PUT", "DELETE", "GET", "POST", "GET", "DELETE", "POST", "GET", "GET"])
    assert {m["Integration"]["Type"] for m in of_type(tpl, "AWS::ApiGateway::Method")} == {"AWS_PROXY"}
    assert len(of_type(tpl, "AWS::CloudFormation::CustomResource")) == 1  # the sample catalog


def test_the_rule_feeds_order_queue_which_feeds_the_ordering_function():
    tpl = template("cdk.out")
    (rule,) = of_type(tpl, "AWS::Events::Rule")
    assert rule["Name"] == "CheckoutBasketRule"
    assert rule["EventPattern"] == {"source": ["com.swn.basket.checkoutbasket"], "detail-type": ["CheckoutBasket"]}
    (target,) = rule["Targets"]
    assert "Input" not in target and "InputTransformer" not in target and "InputPath" not in target
    queues = {q["QueueName"]: q for q in of_type(tpl, "AWS::SQS::Queue")}
    assert queues["OrderQueue"]["VisibilityTimeout"] == 30
    assert queues["OrderQueue"]["RedrivePolicy"]["maxReceiveCount"] == 3
    (mapping,) = of_type(tpl, "AWS::Lambda::EventSourceMapping")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (10, 0)


def test_the_intermediate_variant_invokes_the_ordering_function_from_the_rule():
    tpl = template("cdk.out-direct")
    assert of_type(tpl, "AWS::Lambda::EventSourceMapping") == []
    assert [q["QueueName"] for q in of_type(tpl, "AWS::SQS::Queue")] == ["OrderDeadLetterQueue"]
    (rule,) = of_type(tpl, "AWS::Events::Rule")
    (target,) = rule["Targets"]
    assert target["Arn"]["Fn::GetAtt"][1] == "Arn" and "orderingFunction" in target["Arn"]["Fn::GetAtt"][0]
    (config,) = of_type(tpl, "AWS::Lambda::EventInvokeConfig")
    assert config["MaximumRetryAttempts"] == 2 and "OnFailure" in config["DestinationConfig"]
    permissions = [p for p in of_type(tpl, "AWS::Lambda::Permission") if p["Principal"] == "events.amazonaws.com"]
    assert len(permissions) == 1
