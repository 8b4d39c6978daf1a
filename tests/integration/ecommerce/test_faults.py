"""Faults: a failing order write goes to the dead-letter queue and is redriven once fixed; the
intermediate variant (the rule invokes the ordering function asynchronously) also produces orders.
The intermediate variant has no queue, so it runs on the session's server (timers scaled by 0.01:
Lambda's asynchronous retries after 1 and 2 minutes take 0.6 and 1.2 s)."""

from __future__ import annotations

import json
import uuid

from tests.integration.ecommerce.shop import deploy_shop, eventually


def test_a_failing_order_write_reaches_the_dlq_and_is_redriven(shop_server):
    shop = deploy_shop(shop_server)
    name = f"swn-{uuid.uuid4().hex[:8]}"
    previous = shop.set_env("orderingFunction", DYNAMODB_TABLE_NAME="no-such-table")
    shop.fill_basket(name)
    checkout = shop.checkout(name)

    # three receives, each failing its record (ReportBatchItemFailures), then the redrive policy moves it
    eventually(lambda: shop.queue_depth("OrderDeadLetterQueueUrl") == 1)
    assert shop.queue_depth("OrderQueueUrl") == 0
    # the dead-letter queue's alarm goes off (its depth, ApproximateNumberOfMessagesVisible, is sampled
    # every scaled minute) and tells the OrderAlarms topic
    cloudwatch = shop.client("cloudwatch")
    alarm_name = shop.outputs["OrderDeadLetterQueueAlarmName"]

    def alarm_state() -> str:
        return cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"][0]["StateValue"]

    eventually(lambda: alarm_state() == "ALARM")
    notified = cloudwatch.describe_alarm_history(AlarmName=alarm_name, HistoryItemType="Action")["AlarmHistoryItems"]
    assert notified[0]["HistorySummary"] == f"Successfully executed action {shop.outputs['OrderAlarmsTopicArn']}"
    table = shop.client("dynamodb")  # not GET /order: the same function serves it, and its table is wrong
    assert table.query(TableName="order", KeyConditionExpression="userName = :u",
                       ExpressionAttributeValues={":u": {"S": name}})["Items"] == []
    sqs = shop.client("sqs")
    dlq = shop.outputs["OrderDeadLetterQueueUrl"]
    (dead,) = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0)["Messages"]
    assert json.loads(dead["Body"])["id"] == checkout["eventId"]  # the whole event, as the rule sent it

    shop.set_env("orderingFunction", **previous)
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.start_message_move_task(SourceArn=dlq_arn)  # back to OrderQueue, the queue it came from
    (order,) = eventually(lambda: shop.orders(name))
    assert order["eventId"] == checkout["eventId"] and order["totalPrice"] == 2770
    eventually(lambda: shop.queue_depth("OrderDeadLetterQueueUrl") == 0 and shop.queue_depth("OrderQueueUrl") == 0)
    eventually(lambda: alarm_state() == "OK")  # the queue is empty again
    (task,) = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 1)


def test_the_intermediate_variant_orders_through_an_asynchronous_invocation(overcast_server):
    shop = deploy_shop(overcast_server, "direct")
    assert shop.outputs["Ordering"] == "direct" and "OrderQueueUrl" not in shop.outputs
    assert shop.client("lambda").list_event_source_mappings(FunctionName="orderingFunction")["EventSourceMappings"] == []
    name = f"swn-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    checkout = shop.checkout(name)
    (order,) = eventually(lambda: shop.orders(name))
    assert order["eventId"] == checkout["eventId"] and order["totalPrice"] == 2770


def test_the_intermediate_variant_sends_a_failing_order_to_the_dlq(overcast_server):
    shop = deploy_shop(overcast_server, "direct")
    shop.set_env("orderingFunction", DYNAMODB_TABLE_NAME="no-such-table")
    name = f"swn-{uuid.uuid4().hex[:8]}"
    shop.fill_basket(name)
    checkout = shop.checkout(name)
    # Lambda retries the asynchronous event twice, then the on-failure destination gets a record
    eventually(lambda: shop.queue_depth("OrderDeadLetterQueueUrl") == 1)
    sqs = shop.client("sqs")
    (record,) = sqs.receive_message(QueueUrl=shop.outputs["OrderDeadLetterQueueUrl"])["Messages"]
    body = json.loads(record["Body"])
    assert body["requestContext"]["condition"] == "RetriesExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["requestPayload"]["id"] == checkout["eventId"]
