"""Monitoring: an alarm on OrderDeadLetterQueue and a CloudWatch dashboard of the application.

The alarm goes to ALARM as soon as one message waits in the dead-letter queue (an order that failed
three times) and notifies the OrderAlarms topic; it returns to OK once the queue is empty (redriven or
purged). The dashboard shows the functions' invocations, errors and durations, the order queue's
depth and the dead-letter queue with the alarm. Every metric is one the platform publishes itself
(AWS/Lambda, AWS/SQS), as on AWS.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

MINUTE = cdk.Duration.minutes(1)


class SwnMonitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: list[lambda_.IFunction],
                 dead_letter_queue: sqs.Queue, order_queue: sqs.Queue | None) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "OrderAlarms", topic_name="OrderAlarms")
        waiting = dead_letter_queue.metric_approximate_number_of_messages_visible(period=MINUTE,
                                                                                   statistic="Maximum")
        self.dlq_alarm = cloudwatch.Alarm(
            self, "OrderDeadLetterQueueAlarm", alarm_name="OrderDeadLetterQueueNotEmpty",
            alarm_description="Orders failed three times and wait in OrderDeadLetterQueue",
            metric=waiting, threshold=1, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
        self.dlq_alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.dlq_alarm.add_ok_action(actions.SnsAction(self.topic))

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name="Ecommerce")
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Invocations", width=12,
                                   left=[f.metric_invocations(period=MINUTE) for f in functions]),
            cloudwatch.GraphWidget(title="Errors", width=12,
                                   left=[f.metric_errors(period=MINUTE) for f in functions]))
        queues = [order_queue] if order_queue is not None else []
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Duration (p90)", width=12,
                                   left=[f.metric_duration(period=MINUTE, statistic="p90") for f in functions]),
            cloudwatch.GraphWidget(title="Order queue depth", width=12, left=[
                q.metric_approximate_number_of_messages_visible(period=MINUTE, statistic="Maximum")
                for q in queues] + [waiting]))
        self.dashboard.add_widgets(cloudwatch.AlarmWidget(title="Dead-letter queue", alarm=self.dlq_alarm,
                                                          width=24))
