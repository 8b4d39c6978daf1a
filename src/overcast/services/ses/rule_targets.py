"""What SES checks of a receipt rule's actions when the rule is created or updated
([CreateReceiptRule](https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateReceiptRule.html)):
the S3 action's bucket, every action's SNS topic and the Lambda action's function must exist, or
the call fails with InvalidS3Configuration, InvalidSnsTopic or InvalidLambdaFunction.

AWS also checks that SES may write to the bucket, publish to the topic and invoke the function:
under `--iam enforce` their policies must allow `ses.amazonaws.com` for the rule (`aws:SourceArn`
`arn:aws:ses:<region>:<account>:receipt-rule-set/<set>:receipt-rule/<rule>`, `aws:SourceAccount`),
else the same errors ("Could not invoke Lambda function: <arn>"); an S3 action's KMS key is not
checked ([AWS](https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html))."""

from __future__ import annotations

from typing import Any

from overcast.delivery import as_service
from overcast.platform import Platform
from overcast.services.ses.errors import invalid

#: the actions that may name an SNS topic to notify
_TOPIC_ACTIONS = ("S3Action", "BounceAction", "WorkmailAction", "LambdaAction", "StopAction", "AddHeaderAction",
                  "SNSAction")


def rule_arn(account: str, region: str, rule_set: str, rule: str) -> str:
    """A receipt rule's ARN, the `aws:SourceArn` of SES's deliveries for it."""
    return f"arn:aws:ses:{region}:{account}:receipt-rule-set/{rule_set}:receipt-rule/{rule}"


def ses_auth(platform: Platform, account: str, region: str, rule_set: str, rule: str) -> dict[str, str] | None:
    """How SES delivers for a rule, for IAM (None when IAM is off)."""
    if platform.config.iam == "off":
        return None
    return as_service("ses.amazonaws.com", rule_arn(account, region, rule_set, rule), account)


def refused(platform: Platform, target_arn: str, auth: dict[str, str] | None) -> bool:
    """Whether IAM refuses SES's delivery to `target_arn` (`--iam enforce`; the denial is reported)."""
    return auth is not None and platform.iam is not None and platform.iam.delivery_refusal(target_arn, auth) is not None


def check(platform: Platform, rule: dict[str, Any], auth: dict[str, str] | None = None) -> None:
    """Raise AWS's error for the first action whose target does not exist, or (`auth`, see
    `ses_auth`) that SES may not deliver to."""
    from overcast.services.lambda_.inbox import function_exists
    from overcast.services.s3.inbox import bucket_exists
    from overcast.services.sns.inbox import topic_exists

    for action in rule.get("Actions") or []:
        s3 = action.get("S3Action")
        if s3 and (not bucket_exists(platform, s3.get("BucketName", "")) or refused(
                platform, f"arn:aws:s3:::{s3.get('BucketName')}/{s3.get('ObjectKeyPrefix') or ''}*", auth)):
            raise invalid(f"Could not write to bucket: {s3.get('BucketName')}", code="InvalidS3Configuration")
        function = (action.get("LambdaAction") or {}).get("FunctionArn")
        if function and not function_exists(platform, function):
            raise invalid(f"Invalid Lambda function: {function}", code="InvalidLambdaFunction")
        if function and refused(platform, function, auth):
            raise invalid(f"Could not invoke Lambda function: {function}", code="InvalidLambdaFunction")
        for kind in _TOPIC_ACTIONS:
            topic = (action.get(kind) or {}).get("TopicArn")
            if topic and not topic_exists(platform, topic):
                raise invalid(f"Invalid SNS topic: {topic}", code="InvalidSnsTopic")
            if topic and refused(platform, topic, auth):
                raise invalid(f"Could not publish to SNS topic: {topic}", code="InvalidSnsTopic")
