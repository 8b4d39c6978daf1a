"""The order workflow (the `workflow` variant): CheckoutBasketRule starts the state machine
OrderWorkflow with the checkout event, which runs the order saga

    Validate → Reserve → Charge → AwaitPayment (.waitForTaskToken) → Confirm
                 │          │            │
                 │          └── Release ◀┴── Refund        (the compensating branch) → OrderFailed
                 └─────────────────────────────────────────────────────────────────→ OrderRejected

Each step is the function orderWorkflowFunction (`functions/workflow.py`) called with its step's
name. AwaitPayment hands the function the task token, which it keeps with the order; the payment
provider answers through the "Payment Service" REST API (`POST /payment`), whose call of
SendTaskSuccess or SendTaskFailure ends the wait.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infrastructure.microservices import RUNTIME, code

#: how long the workflow waits for the payment provider before it compensates
PAYMENT_TIMEOUT = cdk.Duration.hours(1)


class SwnOrderWorkflow(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, order_table: dynamodb.Table) -> None:
        super().__init__(scope, construct_id)
        self.function = lambda_.Function(
            self, "orderWorkflowFunction", function_name="orderWorkflowFunction", runtime=RUNTIME,
            handler="workflow.handler", code=code(),
            environment={"DYNAMODB_TABLE_NAME": order_table.table_name, "PRIMARY_KEY": "userName",
                         "SORT_KEY": "orderDate"})
        order_table.grant_read_write_data(self.function)
        self.machine = sfn.StateMachine(
            self, "OrderWorkflow", state_machine_name="OrderWorkflow",
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(self._definition()))
        # the payment callback answers the task token; a grant on the machine itself would make a
        # dependency cycle (the machine's role names the function), so the statement names no resource
        self.function.add_to_role_policy(iam.PolicyStatement(
            actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
            resources=["*"]))
        self.payment_api = apigateway.LambdaRestApi(
            self, "paymentApi", rest_api_name="Payment Service", handler=self.function, proxy=False,
            cloud_watch_role=False)
        self.payment_api.node.try_remove_child("Endpoint")  # the stack has its own outputs
        self.payment_api.root.add_resource("payment").add_method("POST")

    def _step(self, name: str, step: str, **options) -> tasks.LambdaInvoke:  # type: ignore[no-untyped-def]
        """A state calling the function with `{"step": step, "order": <the state's input>}`."""
        return tasks.LambdaInvoke(
            self, name, lambda_function=self.function, payload_response_only=True,
            payload=sfn.TaskInput.from_object({"step": step, "order": sfn.JsonPath.entire_payload}), **options)

    def _definition(self) -> sfn.IChainable:
        rejected = sfn.Fail(self, "OrderRejected", error="OrderRejected", cause_path="$.failure.Cause")
        failed = sfn.Fail(self, "OrderFailed", error="OrderFailed", cause_path="$.failure.Cause")
        release = self._step("Release", "release", result_path=sfn.JsonPath.DISCARD).next(failed)
        refund = self._step("Refund", "refund", result_path="$.refund").next(release)
        caught = {"result_path": "$.failure"}

        validate = self._step("Validate", "validate").add_catch(rejected, **caught)
        reserve = self._step("Reserve", "reserve").add_catch(rejected, **caught)
        charge = self._step("Charge", "charge", result_path="$.charge").add_catch(release, **caught)
        await_payment = tasks.LambdaInvoke(
            self, "AwaitPayment", lambda_function=self.function,
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object({"step": "await_payment", "order": sfn.JsonPath.entire_payload,
                                               "taskToken": sfn.JsonPath.task_token}),
            result_path="$.payment", task_timeout=sfn.Timeout.duration(PAYMENT_TIMEOUT),
        ).add_catch(refund, **caught)
        confirm = self._step("Confirm", "confirm")
        return validate.next(reserve).next(charge).next(await_payment).next(confirm)
