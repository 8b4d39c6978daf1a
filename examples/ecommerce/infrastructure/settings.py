"""The checkout's settings, read by the basket function at run time: the shop's currency from
Parameter Store, and the payment gateway's signing key from Secrets Manager (generated when the
stack is created, never in the template)."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

CURRENCY_PARAMETER = "/swn/checkout/currency"
PAYMENT_SECRET = "swn/payment-gateway"


class SwnSettings(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, consumer: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        self.currency = ssm.StringParameter(self, "Currency", parameter_name=CURRENCY_PARAMETER, string_value="EUR",
                                            description="the currency of checkout totals")
        self.payment_secret = secretsmanager.Secret(
            self, "PaymentGateway", secret_name=PAYMENT_SECRET, description="the payment gateway's signing key",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"merchantId": "swn-shop"}', generate_string_key="signingKey",
                exclude_punctuation=True, password_length=40))
        self.currency.grant_read(consumer)
        self.payment_secret.grant_read(consumer)
        consumer.add_environment("CURRENCY_PARAMETER", self.currency.parameter_name)
        consumer.add_environment("PAYMENT_SECRET_ARN", self.payment_secret.secret_arn)
