"""The workflow variant's committed assembly (examples/ecommerce/cdk.out-workflow): CheckoutBasketRule
starts the state machine OrderWorkflow, whose saga calls orderWorkflowFunction once per step, waits for
the payment callback with a task token and compensates on failure. `python
examples/ecommerce/synth.py workflow` refreshes it."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.ecommerce.test_assembly import EXAMPLE, files, of_type, template

FOLDER = "cdk.out-workflow"


def definition() -> dict[str, Any]:
    """The machine's definition with every function ARN written as FUNCTION."""
    (machine,) = of_type(template(FOLDER), "AWS::StepFunctions::StateMachine")
    parts = machine["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "FUNCTION" if "Fn::GetAtt" in p else "aws" for p in parts)
    return json.loads(text)  # type: ignore[no-any-return]


def test_the_assembly_links_the_current_handler_code():
    manifest = json.loads((EXAMPLE / FOLDER / "Ecommerce.assets.json").read_text())
    (path,) = [a["source"]["path"] for a in manifest["files"].values() if a["source"]["packaging"] == "zip"]
    asset = EXAMPLE / FOLDER / path
    assert asset.is_symlink() and asset.resolve() == (EXAMPLE / "functions").resolve()
    assert "workflow.py" in files(asset)


def test_the_rule_starts_the_order_workflow():
    tpl = template(FOLDER)
    (rule,) = of_type(tpl, "AWS::Events::Rule")
    (target,) = rule["Targets"]
    assert "OrderWorkflow" in target["Arn"]["Ref"] and "Input" not in target
    assert "DeadLetterConfig" in target and "RoleArn" in target
    assert of_type(tpl, "AWS::Lambda::EventSourceMapping") == []
    (machine,) = of_type(tpl, "AWS::StepFunctions::StateMachine")
    assert (machine["StateMachineName"], machine["StateMachineType"]) == ("OrderWorkflow", "STANDARD")
    names = {f.get("FunctionName") for f in of_type(tpl, "AWS::Lambda::Function")}
    assert {"productFunction", "basketFunction", "orderingFunction", "orderWorkflowFunction"} <= names
    assert "Payment Service" in [a["Name"] for a in of_type(tpl, "AWS::ApiGateway::RestApi")]


def test_the_saga_validates_reserves_charges_waits_for_payment_and_compensates():
    states = definition()["States"]
    path, name = [], "Validate"
    while name:
        path.append(name)
        name = states[name].get("Next")
    assert path == ["Validate", "Reserve", "Charge", "AwaitPayment", "Confirm"]
    assert {s: states[s]["Parameters"]["step"] for s in ("Validate", "Reserve", "Charge", "Confirm", "Refund",
                                                          "Release")} == {
        "Validate": "validate", "Reserve": "reserve", "Charge": "charge", "Confirm": "confirm", "Refund": "refund",
        "Release": "release"}
    wait = states["AwaitPayment"]
    assert wait["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert wait["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token" and wait["TimeoutSeconds"] == 3600
    catches = {s: (states[s]["Catch"][0]["ErrorEquals"], states[s]["Catch"][0]["Next"])
               for s in ("Validate", "Reserve", "Charge", "AwaitPayment")}
    assert catches == {"Validate": (["States.ALL"], "OrderRejected"), "Reserve": (["States.ALL"], "OrderRejected"),
                       "Charge": (["States.ALL"], "Release"), "AwaitPayment": (["States.ALL"], "Refund")}
    assert (states["Refund"]["Next"], states["Release"]["Next"]) == ("Release", "OrderFailed")
    assert {states[s]["Type"] for s in ("OrderFailed", "OrderRejected")} == {"Fail"}
