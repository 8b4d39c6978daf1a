"""One checkout of the e-commerce application, seen in the web console (a real headless browser):
its trace's timeline has every hop, API Gateway to DynamoDB; the service map has the chain's nodes;
the ordering function's page shows the invocation's type and trigger."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.integration.console.browser import browser, console_page, screenshot  # noqa: F401  (fixtures)
from tests.integration.ecommerce.shop import eventually

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
from playwright.sync_api import expect


def test_a_checkout_traced_on_the_console(shop, browser, screenshot):  # noqa: F811
    name = f"web-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    shop.checkout(name)
    eventually(lambda: shop.orders(name))
    started = time.time() - 600
    trace_id, _ = eventually(lambda: shop.checkout_trace(started), 60)
    mappings = shop.client("lambda").list_event_source_mappings()["EventSourceMappings"]
    mapping = mappings[0]
    ordering = mapping["FunctionArn"].split(":")[6]  # the function the order queue feeds
    queue = mapping["EventSourceArn"].split(":")[5]
    with console_page(browser, shop.server.url) as page:
        page.goto(f"/_overcast/console/?account={shop.account}#/traces")
        page.get_by_label("Filter expression").fill('service("DynamoDB") AND service("EventBridge")')
        page.get_by_role("button", name="Filter").click()
        page.get_by_role("link", name=trace_id).click()
        expect(page.get_by_role("heading", name=f"Trace {trace_id}")).to_be_visible()
        timeline = page.get_by_role("list", name="Segments on a timeline")
        for origin in ("AWS::ApiGateway::Stage", "AWS::Lambda", "AWS::Lambda::Function", "AWS::Events",
                       "AWS::SQS::Queue", "AWS::DynamoDB::Table"):
            expect(timeline.locator(f'[data-origin="{origin}"]').first).to_be_visible()
        expect(timeline).to_contain_text("PutItem")
        expect(timeline).to_contain_text("PutEvents")
        screenshot(page, "trace")

        page.goto(f"/_overcast/console/?account={shop.account}#/map")
        graph = page.locator("svg.map")
        for node in ("EventBridge", "SQS", "DynamoDB", ordering):
            expect(graph.locator(f'g.node[data-name="{node}"]').first).to_be_visible()
        screenshot(page, "map")

        page.goto(f"/_overcast/console/?account={shop.account}#/functions/{ordering}")
        # the order API's reads are synchronous calls of the same function; the order itself came from the queue
        rows = page.locator("section[aria-labelledby=inv] tbody tr")

        def of_type(kind: str):
            return rows.filter(has=page.get_by_role("cell", name=kind, exact=True)).first

        expect(of_type("event source mapping")).to_contain_text(queue)
        expect(of_type("sync")).to_contain_text("AWS::ApiGateway::Stage")
        page.get_by_role("heading", name="Recent invocations").scroll_into_view_if_needed()
        page.mouse.wheel(0, 420)
        screenshot(page, "function-invocations")


def test_the_shops_apis_and_stack_on_the_console(shop, browser, screenshot):  # noqa: F811
    """APIs: each route with the function it calls; the stack: its resources and events."""
    with console_page(browser, shop.server.url) as page:
        page.goto(f"/_overcast/console/?account={shop.account}#/")
        cards = page.locator(".cards li")
        expect(cards.filter(has=page.get_by_role("link", name="Tables")).locator(".n")).to_have_text("3")
        queues = len(shop.client("sqs").list_queues()["QueueUrls"])  # OrderQueue and its dead-letter queue
        expect(cards.filter(has=page.get_by_role("link", name="Queues")).locator(".n")).to_have_text(str(queues))
        expect(cards.filter(has=page.get_by_role("link", name="REST APIs")).locator(".n")).to_have_text("3")
        screenshot(page, "overview")
        page.goto(f"/_overcast/console/?account={shop.account}#/apis")
        expect(page.get_by_role("heading", name="APIs")).to_be_visible()
        basket_routes = page.get_by_role("row").filter(has_text="/basket")
        expect(basket_routes.first).to_contain_text("basket")
        expect(basket_routes.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^#/functions/"))
        screenshot(page, "apis")
        stacks = shop.client("cloudformation").describe_stacks()["Stacks"]
        page.goto(f"/_overcast/console/?account={shop.account}#/stacks/{stacks[0]['StackName']}")
        resources = page.locator("main table").nth(1)
        expect(resources).to_contain_text("AWS::Lambda::Function")
        expect(resources).to_contain_text("CREATE_COMPLETE")
        screenshot(page, "stack")
