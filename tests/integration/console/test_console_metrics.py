"""CloudWatch in the web console (a real headless browser): Lambda's Invocations, Errors and Duration
charted for a function that ran, any metric charted on request, alarms listed with their state.
Skips where overcast hosts no CloudWatch."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from overcast.testing import OvercastServer
from overcast.testing.lambdas import create_function
from tests.integration.console.browser import console_page

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def own_server():
    """A server of this module's own: the charts show up to 500 functions, and the suite's shared
    server holds thousands by the time this test runs."""
    with OvercastServer(in_memory=True) as server:
        yield server


@pytest.fixture
def aws(own_server):
    return own_server.client


@pytest.fixture
def page(browser, own_server):
    with console_page(browser, own_server.url) as tab:
        yield tab


@pytest.fixture
def cloudwatch(own_server, aws):
    answer = httpx.post(f"{own_server.url}/_overcast/console/api/call/cloudwatch/ListMetrics", json={})
    if answer.status_code == 404:
        pytest.skip("this overcast hosts no CloudWatch")
    return aws("cloudwatch")


def test_lambda_metrics_custom_metrics_and_alarms_charted(page, aws, cloudwatch, screenshot):
    name = create_function(aws("lambda"), """
        def handler(event, context):
            if event.get("fail"):
                raise RuntimeError("no")
            return "ok"
    """, Timeout=60)
    for payload in ({}, {}, {"fail": True}):
        aws("lambda").invoke(FunctionName=name, Payload=json.dumps(payload))
    namespace = f"Shop{uuid.uuid4().hex[:6]}"
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": "OrdersPlaced", "Value": 3, "Unit": "Count", "Timestamp": time.time()}])
    alarm = f"orders-{uuid.uuid4().hex[:6]}"
    cloudwatch.put_metric_alarm(AlarmName=alarm, Namespace=namespace, MetricName="OrdersPlaced", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=100, ComparisonOperator="GreaterThanThreshold")

    page.goto("/_overcast/console/#/metrics")
    invocations = page.locator('figure[data-metric="Invocations (Sum)"]')
    expect(invocations.locator("li").filter(has_text=name)).not_to_contain_text("no data")
    errors = page.locator('figure[data-metric="Errors (Sum)"]')
    expect(errors.locator("li").filter(has_text=name)).not_to_contain_text("no data")
    expect(page.locator('figure[data-metric="Duration (Average)"] li').filter(has_text=name)).to_contain_text(" ms, peak ")
    expect(page.locator("section[aria-labelledby=al] table")).to_contain_text(alarm)
    screenshot(page, "metrics")

    page.get_by_label("Namespace").fill(namespace)
    page.get_by_label("Namespace").press("Tab")  # the field changed: the list narrows to that namespace
    expect(page.get_by_label("Metric", exact=True).locator("option")).to_have_count(1)
    page.get_by_label("Metric", exact=True).select_option(label=f"{namespace} · OrdersPlaced")
    page.get_by_label("Statistic").select_option("Sum")
    page.get_by_role("button", name="Chart").click()
    custom = page.locator(f'figure[data-metric="{namespace} OrdersPlaced (Sum)"]')
    expect(custom).to_contain_text("OrdersPlaced: latest 3, peak 3")
