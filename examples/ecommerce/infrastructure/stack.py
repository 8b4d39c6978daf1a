"""The e-commerce stack: three tables, three functions behind three REST APIs, the event bus, and
OrderQueue between the bus and the ordering function (or, in the intermediate variant, the rule
invoking the ordering function directly; or, in the workflow variant, the rule starting the order
workflow's state machine)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from infrastructure.apigateway import SwnApiGateway
from infrastructure.catalog import SampleCatalog
from infrastructure.database import SwnDatabase
from infrastructure.eventbus import SwnEventBus, function_target, queue_target
from infrastructure.microservices import SwnMicroservices
from infrastructure.monitoring import SwnMonitoring
from infrastructure.queue import SwnQueue, dead_letter_queue
from infrastructure.settings import SwnSettings
from infrastructure.workflow import SwnOrderWorkflow

VARIANTS = ("queue", "direct", "workflow")


class EcommerceStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, ordering: str = "queue", **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if ordering not in VARIANTS:
            raise ValueError(f"ordering must be one of {VARIANTS}, not {ordering!r}")
        database = SwnDatabase(self, "Database")
        bus_name = "SwnEventBus"
        services = SwnMicroservices(self, "Microservices", product_table=database.product_table,
                                    basket_table=database.basket_table, order_table=database.order_table,
                                    event_bus_name=bus_name)
        apis = SwnApiGateway(self, "ApiGateway", product_function=services.product_function,
                             basket_function=services.basket_function, ordering_function=services.ordering_function)
        bus = SwnEventBus(self, "EventBus", publisher=services.basket_function)
        SwnSettings(self, "Settings", consumer=services.basket_function)  # read at checkout
        dlq = dead_letter_queue(self)
        order_queue = None
        if ordering == "queue":
            queue = SwnQueue(self, "Queue", consumer=services.ordering_function, dead_letter_queue=dlq)
            order_queue = queue.order_queue
            bus.target(queue_target(queue.order_queue))
            cdk.CfnOutput(self, "OrderQueueUrl", value=queue.order_queue.queue_url)
        elif ordering == "workflow":
            workflow = SwnOrderWorkflow(self, "Workflow", order_table=database.order_table)
            # EventBridge starts an execution per checkout; a start it cannot make goes to the DLQ
            bus.target(targets.SfnStateMachine(workflow.machine, dead_letter_queue=dlq))
            cdk.CfnOutput(self, "OrderWorkflowArn", value=workflow.machine.state_machine_arn)
            cdk.CfnOutput(self, "PaymentApiUrl", value=workflow.payment_api.url)
        else:
            # asynchronous invocation: Lambda retries a failed event twice, then sends it to the DLQ
            services.ordering_function.configure_async_invoke(
                retry_attempts=2, on_failure=destinations.SqsDestination(dlq))
            bus.target(function_target(services.ordering_function))
        SampleCatalog(self, "Catalog", product_table=database.product_table)
        monitoring = SwnMonitoring(self, "Monitoring", functions=[services.product_function, services.basket_function,
                                                                  services.ordering_function],
                                   dead_letter_queue=dlq, order_queue=order_queue)

        for name, api in (("ProductApiUrl", apis.product_api), ("BasketApiUrl", apis.basket_api),
                          ("OrderApiUrl", apis.order_api)):
            cdk.CfnOutput(self, name, value=api.url)
        cdk.CfnOutput(self, "OrderDeadLetterQueueUrl", value=dlq.queue_url)
        cdk.CfnOutput(self, "EventBusName", value=bus.bus.event_bus_name)
        cdk.CfnOutput(self, "Ordering", value=ordering)
        cdk.CfnOutput(self, "DashboardName", value=monitoring.dashboard.dashboard_name)
        cdk.CfnOutput(self, "OrderDeadLetterQueueAlarmName", value=monitoring.dlq_alarm.alarm_name)
        cdk.CfnOutput(self, "OrderAlarmsTopicArn", value=monitoring.topic.topic_arn)
