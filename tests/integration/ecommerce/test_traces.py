"""One checkout of the e-commerce application, traced end to end: the X-Ray service graph of its
trace has the chain API Gateway → basket function → EventBridge → SQS → ordering function → DynamoDB,
every hop's segment in the same trace."""

from __future__ import annotations

import time
import uuid
from itertools import pairwise

from tests.integration.ecommerce.shop import eventually


def _chain_edges(services: list[dict]) -> set[tuple[str, str]]:
    """(caller type, callee type) of every edge; a function's node by its type and name."""
    by_ref = {s["ReferenceId"]: s for s in services}

    def label(service: dict) -> str:
        return f"{service.get('Type', '')}:{service['Name']}"
    return {(label(s), label(by_ref[e["ReferenceId"]])) for s in services for e in s["Edges"]}


def test_a_checkout_is_one_trace_across_every_hop(shop):
    name = f"swn-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    shop.checkout(name)
    eventually(lambda: shop.orders(name))
    xray = shop.client("xray")
    started = time.time() - 600

    trace_id, docs = eventually(lambda: shop.checkout_trace(started))
    assert {d["trace_id"] for d in docs} == {trace_id}
    graph = xray.get_trace_graph(TraceIds=[trace_id])["Services"]
    edges = _chain_edges(graph)
    functions = [s["Name"] for s in graph if s.get("Type") == "AWS::Lambda::Function"]
    basket = next(f for f in functions if "basket" in f.lower())
    ordering = next(f for f in functions if "order" in f.lower())
    stage = next(s["Name"] for s in graph if s.get("Type") == "AWS::ApiGateway::Stage")
    chain = [f"AWS::ApiGateway::Stage:{stage}", f"AWS::Lambda:{basket}", f"AWS::Lambda::Function:{basket}",
             "AWS::Events:EventBridge", "AWS::SQS::Queue:SQS", f"AWS::Lambda:{ordering}",
             f"AWS::Lambda::Function:{ordering}", "AWS::DynamoDB::Table:DynamoDB"]
    for caller, callee in pairwise(chain):
        assert (caller, callee) in edges, (caller, callee, sorted(edges))
    # the same chain in the account's service graph
    services = xray.get_service_graph(StartTime=started, EndTime=time.time() + 60)["Services"]
    assert {("AWS::Events:EventBridge", "AWS::SQS::Queue:SQS"),
            (f"AWS::Lambda::Function:{ordering}", "AWS::DynamoDB::Table:DynamoDB")} <= _chain_edges(services)
