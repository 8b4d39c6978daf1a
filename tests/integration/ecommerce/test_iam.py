"""The e-commerce application under `--iam enforce` and `--verify-signatures` (every SDK call, the
deploy command's and the functions', signed with its key's real secret): deployed as CDK synthesised it, every call and
delivery of an order (API Gateway's invocations under the functions' policies, the functions'
DynamoDB and EventBridge calls with their execution roles, the rule's delivery to OrderQueue under
its queue policy, the mapping's reads) is allowed and the order is stored; with one grant removed from the template (the basket function's
`events:PutEvents`), checkout fails with AWS's AccessDenied message."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from overcast.testing import OvercastServer
from tests.integration.ecommerce.conftest import TIME_SCALE
from tests.integration.ecommerce.shop import (
    ASSEMBLIES,
    SAMPLE_ITEMS,
    Shop,
    deploy,
    deploy_shop,
    eventually,
    outputs_of,
    unique_account,
)


@pytest.fixture(scope="module")
def enforcing() -> Iterator[OvercastServer]:
    env = {"OVERCAST_IAM": "enforce", "OVERCAST_VERIFY_SIGNATURES": "1"}
    with OvercastServer(time_scale=TIME_SCALE, env=env) as server:
        yield server


def _denials(server: OvercastServer, account: str) -> list[dict]:
    return [d for d in server.admin("iam/report")["denials"] if f":{account}:" in d["principal"] + d["resource"]]


def test_an_order_goes_through_with_iam_enforced(enforcing):
    shop = deploy_shop(enforcing)
    name = f"swn-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    checkout = shop.checkout(name)
    (order,) = eventually(lambda: shop.orders(name))
    assert order["eventId"] == checkout["eventId"] and order["items"] == SAMPLE_ITEMS
    eventually(lambda: shop.queue_depth("OrderQueueUrl") == 0)
    assert _denials(enforcing, shop.account) == []
    # API Gateway invokes a function only as its policy allows: without the prod stage's GET /product
    # permission, the method answers API Gateway's 500
    lam = shop.client("lambda")
    product = next(f["FunctionName"] for f in lam.list_functions()["Functions"] if "product" in f["FunctionName"])
    statements = json.loads(lam.get_policy(FunctionName=product)["Policy"])["Statement"]
    (listing,) = [s for s in statements
                  if s["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/prod/GET/product")]
    assert shop.call("GET", "product", "/product")[0] == 200
    lam.remove_permission(FunctionName=product, StatementId=listing["Sid"])
    assert shop.call("GET", "product", "/product") == (500, {"message": "Internal server error"})
    (denial,) = _denials(enforcing, shop.account)
    assert denial["principal"] == "apigateway.amazonaws.com" and denial["action"] == "lambda:InvokeFunction"


def _without_put_events(tmp_path: Path) -> Path:
    """The queue variant's cloud assembly with `events:PutEvents` taken out of the basket function's policy."""
    source = ASSEMBLIES["queue"]
    target = tmp_path / "cdk.out"
    target.mkdir()
    for item in source.iterdir():
        if item.is_symlink():
            (target / item.name).symlink_to(item.resolve())
        else:
            shutil.copy(item, target / item.name)
    template_path = target / "Ecommerce.template.json"
    template = json.loads(template_path.read_text())
    policy = template["Resources"]["MicroservicesbasketFunctionServiceRoleDefaultPolicy851247A0"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    kept = [s for s in statements if s["Action"] != "events:PutEvents"]
    assert len(kept) == len(statements) - 1
    policy["Properties"]["PolicyDocument"]["Statement"] = kept
    template_path.write_text(json.dumps(template))
    return target


def test_checkout_fails_without_the_put_events_grant(enforcing, tmp_path):
    account = unique_account()
    result = deploy(enforcing, _without_put_events(tmp_path), account)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shop = Shop(enforcing, account, outputs_of(result.stdout))
    name = f"swn-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    status, answer = shop.call("POST", "basket", "/basket/checkout", {"userName": name, "firstName": "swn"})
    basket = next(f for f in shop.client("lambda").list_functions()["Functions"] if "basket" in f["FunctionName"])
    role_name = basket["Role"].rsplit("/", 1)[1]
    bus = f"arn:aws:events:{enforcing.region}:{account}:event-bus/SwnEventBus"
    assert status == 500
    assert answer["message"] == (
        'Failed to perform operation "POST": An error occurred (AccessDeniedException) when calling the PutEvents '
        f"operation: User: arn:aws:sts::{account}:assumed-role/{role_name}/{basket['FunctionName']} is not "
        f"authorized to perform: events:PutEvents on resource: {bus} because no identity-based policy allows the "
        "events:PutEvents action")
    (denial,) = _denials(enforcing, account)
    assert denial["grant"]["statement"] == {"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}
