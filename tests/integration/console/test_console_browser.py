"""The web console in a real browser (headless Chromium through Playwright): a function invoked
from its page, a dead-letter queue's message redriven to its source, a table browsed a page at a time,
an event pattern tested, and the overview."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import quote

import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
from playwright.sync_api import expect


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _open(page, hash_: str) -> None:
    page.goto(f"/_overcast/console/#{hash_}")


def test_a_function_invoked_from_its_page_with_a_sample_event(page, aws, screenshot):
    lam = aws("lambda")
    name = create_function(lam, """
        def handler(event, context):
            records = event.get("Records", [])
            print("records:", len(records))
            return {"records": len(records), "source": records[0]["eventSource"] if records else None}
    """, Timeout=60)
    _open(page, f"/functions/{name}")
    expect(page.get_by_role("heading", name=f"Function {name}")).to_be_visible()
    page.get_by_label("Sample event source").select_option("sqs")
    expect(page.get_by_label("Event (JSON)")).to_have_value(lambda_value_containing("aws:sqs"))
    page.get_by_role("button", name="Invoke").click()
    result = page.locator("#invoke-result")
    expect(result).to_contain_text('"records": 1')
    expect(result).to_contain_text('"source": "aws:sqs"')
    expect(page.get_by_text("Status 200")).to_be_visible()
    # the invocation shows among the recent ones (the page polls), with its logs
    row = page.locator("section[aria-labelledby=inv] tbody tr").first
    expect(row).to_contain_text("success", timeout=60_000)
    row.locator("summary").click()
    expect(row.locator("pre")).to_contain_text("records: 1")
    screenshot(page, "function")
    # asynchronously: Lambda answers 202 and runs it later; the run shows among the invocations
    page.get_by_label("Invocation type").select_option("Event")
    page.get_by_role("button", name="Invoke").click()
    expect(page.get_by_text("Status 202")).to_be_visible()
    expect(page.locator("section[aria-labelledby=inv] tbody tr")).to_have_count(2, timeout=60_000)


def lambda_value_containing(text: str):
    import re

    return re.compile(re.escape(text))


def test_a_dead_letter_queues_message_redriven_from_the_page(page, aws, screenshot):
    sqs = aws("sqs")
    dlq_name, source_name = _name("orders-dlq"), _name("orders")
    dlq = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(QueueName=source_name, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody='{"order": 42}')
    # received once and not deleted: the next receive moves it to the dead-letter queue (maxReceiveCount 1)
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)

    def in_dlq():
        sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
        depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
        return depth["Attributes"]["ApproximateNumberOfMessages"] == "1"

    wait_until(in_dlq, 30, "the message in the dead-letter queue")

    _open(page, "/queues")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=source_name, exact=True))
    expect(row).to_contain_text(dlq_name)
    row.get_by_role("link", name=dlq_name).click()
    expect(page.get_by_role("heading", name=f"Queue {dlq_name}")).to_be_visible()
    expect(page.get_by_role("link", name=source_name)).to_be_visible()
    page.get_by_role("button", name="Peek at messages").click()
    expect(page.locator("section[aria-labelledby=msgs] table")).to_contain_text('{"order": 42}')
    screenshot(page, "queue")
    page.get_by_role("button", name="Redrive messages to their source queues").click()
    expect(page.get_by_role("status")).to_contain_text("Redrive started")

    def back_in_source():
        got = sqs.receive_message(QueueUrl=source, WaitTimeSeconds=1).get("Messages", [])
        return got[0] if got else None

    message = wait_until(back_in_source, 60, "the message back in its source queue")
    assert message["Body"] == '{"order": 42}'
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"
    expect(page.locator("section[aria-labelledby=dlq] table")).to_contain_text("COMPLETED", timeout=60_000)


def test_a_table_browsed_a_page_at_a_time_and_queried(page, aws, screenshot):
    ddb = aws("dynamodb")
    table = _name("orders")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                           {"AttributeName": "n", "AttributeType": "N"}])
    for start in range(0, 120, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"customer": {"S": f"c{i % 3}"}, "n": {"N": str(i)}, "total": {"N": str(i * 10)}}}}
            for i in range(start, min(start + 25, 120))]})
    _open(page, f"/tables/{table}")
    items = page.locator("main table").last
    expect(items.locator("tbody tr")).to_have_count(50)
    expect(page.get_by_text("Page 1 · 50 items")).to_be_visible()
    screenshot(page, "table")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 2 · 50 items")).to_be_visible()
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text("Page 3 · 20 items")).to_be_visible()
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()

    page.get_by_label("customer =").fill("c1")
    page.get_by_label("n condition").select_option("<")
    page.get_by_label("n", exact=True).fill("10")
    page.get_by_role("button", name="Query", exact=True).click()
    expect(page.get_by_text("Page 1 · 3 items")).to_be_visible()
    expect(items.locator("tbody tr td:nth-child(2)")).to_have_text(["1", "4", "7"])


def test_an_event_pattern_tested_against_an_event(page, aws, screenshot):
    events = aws("events")
    bus = _name("shop")
    events.create_event_bus(Name=bus)
    rule = _name("checkout")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["shop.basket"], "detail-type": ["Checkout"]}))
    _open(page, "/events")
    section = page.get_by_role("region", name=f"Bus {bus}")
    expect(section).to_contain_text(rule)
    section.get_by_text("pattern", exact=True).click()
    section.get_by_role("button", name="Test this pattern").click()
    expect(page.locator("#test-pattern")).to_have_value(lambda_value_containing("shop.basket"))
    event = {"id": "1", "source": "shop.basket", "detail-type": "Checkout", "account": "000000000000",
             "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail": {}}
    page.get_by_label("Event", exact=True).fill(json.dumps(event))
    page.get_by_role("button", name="Test pattern").click()
    expect(page.locator("#test-result")).to_contain_text("matches")
    page.get_by_label("Event", exact=True).fill(json.dumps({**event, "source": "shop.other"}))
    page.get_by_role("button", name="Test pattern").click()
    expect(page.locator("#test-result")).to_contain_text("does not match")
    screenshot(page, "events")


def test_the_overview_counts_and_links(page, aws, screenshot):
    aws("sqs").create_queue(QueueName=_name("overview"))
    queues = len(aws("sqs").list_queues()["QueueUrls"])
    _open(page, "/")
    card = page.locator(".cards li").filter(has=page.get_by_role("link", name="Queues"))
    expect(card.locator(".n")).to_have_text(str(queues))
    expect(page.get_by_role("navigation", name="Services")).to_be_visible()
    card.get_by_role("link", name="Queues").click()
    expect(page.get_by_role("heading", name="Queues")).to_be_visible()
    nav = page.get_by_role("navigation", name="Services")
    expect(nav.get_by_role("link", name="Queues", exact=True)).to_have_attribute("aria-current", "page")


def test_a_log_group_filtered_and_tailed(page, aws, screenshot):
    logs = aws("logs")
    group = f"/app/{_name('orders')}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": now - 2000, "message": "INFO order 1 placed"},
        {"timestamp": now - 1000, "message": "ERROR order 2 failed"}])
    page.goto("/_overcast/console/#/logs/" + "/".join(quote(part, safe="") for part in group.split("/")))
    events = page.locator("#log-events")
    expect(events).to_contain_text("INFO order 1 placed")
    expect(events).to_contain_text("ERROR order 2 failed")
    page.get_by_label("Filter pattern").fill("ERROR")
    page.get_by_role("button", name="Filter").click()
    expect(events).not_to_contain_text("INFO order 1 placed")
    expect(events).to_contain_text("ERROR order 2 failed")
    # tailing: a new matching event shows up without a reload
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
        {"timestamp": int(time.time() * 1000), "message": "ERROR order 3 failed"}])
    expect(events).to_contain_text("ERROR order 3 failed")
    expect(events).not_to_contain_text("INFO")


def test_streams_listed(page, aws):
    kinesis = aws("kinesis")
    stream = _name("clicks")
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    table = _name("carts")
    aws("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    page.goto("/_overcast/console/#/streams")
    kinesis_row = page.get_by_role("row").filter(has_text=stream)
    expect(kinesis_row).to_contain_text("2")
    ddb_row = page.get_by_role("row").filter(has_text=table)
    expect(ddb_row).to_contain_text("NEW_IMAGE")


def test_the_console_is_usable_from_the_keyboard(page):
    page.goto("/_overcast/console/#/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()  # still the same page
    page.locator("header").click()  # Tab goes on from the header: the navigation comes next
    page.keyboard.press("Tab")
    nav = page.get_by_role("navigation", name="Services")
    expect(nav.get_by_role("link", name="Overview")).to_be_focused()
    page.keyboard.press("Tab")
    functions = nav.get_by_role("link", name="Functions", exact=True)
    expect(functions).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Functions")).to_be_visible()
    expect(page.locator("main")).to_be_focused()  # the new page's content takes the focus
    expect(functions).to_have_attribute("aria-current", "page")


def test_function_urls_among_the_apis(page, aws):
    lam = aws("lambda")
    name = create_function(lam, "def handler(event, context):\n    return 'ok'\n", Timeout=30)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    page.goto("/_overcast/console/#/apis")
    row = page.get_by_role("region", name="Function URLs").get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text(url)
    expect(row.get_by_role("link", name=name)).to_have_attribute("href", f"#/functions/{name}")


def test_state_machines_executions_pipes_and_schedules_listed(page, aws):
    sfn = aws("stepfunctions")
    name = _name("orders")
    arn = sfn.create_state_machine(name=name, roleArn="arn:aws:iam::000000000000:role/r", definition=json.dumps(
        {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "hi", "End": True}}}))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="first")["executionArn"]
    wait_until(lambda: sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED", 30, "the execution")
    schedule = _name("nightly")
    aws("scheduler").create_schedule(Name=schedule, ScheduleExpression="cron(0 3 * * ? *)",
                                     FlexibleTimeWindow={"Mode": "OFF"},
                                     Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r"})
    page.goto("/_overcast/console/#/workflows")
    expect(page.get_by_role("row").filter(has_text=schedule)).to_contain_text("ENABLED")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"State machine {name}")).to_be_visible()
    page.get_by_role("link", name="first", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="PassStateEntered")).to_contain_text("Hello")
    expect(page.get_by_role("row").filter(has_text="ExecutionSucceeded")).to_be_visible()
