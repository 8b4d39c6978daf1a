"""What SES checks of a receipt rule's actions when the rule is created or updated
([CreateReceiptRule](https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateReceiptRule.html)):
the S3 action's bucket, every action's SNS topic and the Lambda action's function must exist, or
the call fails with InvalidS3Configuration, InvalidSnsTopic or InvalidLambdaFunction.

AWS also checks that SES may write to the bucket, publish to the topic and invoke the function
(their policies), and that an S3 action's KMS key is usable; overcast does not enforce those
policies, and checks existence only."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.ses.errors import invalid

#: the actions that may name an SNS topic to notify
_TOPIC_ACTIONS = ("S3Action", "BounceAction", "WorkmailAction", "LambdaAction", "StopAction", "AddHeaderAction",
                  "SNSAction")


def check(platform: Platform, rule: dict[str, Any]) -> None:
    """Raise AWS's error for the first action whose target does not exist."""
    from overcast.services.lambda_.inbox import function_exists
    from overcast.services.s3.inbox import bucket_exists
    from overcast.services.sns.inbox import topic_exists

    for action in rule.get("Actions") or []:
        s3 = action.get("S3Action")
        if s3 and not bucket_exists(platform, s3.get("BucketName", "")):
            raise invalid(f"Could not write to bucket: {s3.get('BucketName')}", code="InvalidS3Configuration")
        function = (action.get("LambdaAction") or {}).get("FunctionArn")
        if function and not function_exists(platform, function):
            raise invalid(f"Invalid Lambda function: {function}", code="InvalidLambdaFunction")
        for kind in _TOPIC_ACTIONS:
            topic = (action.get(kind) or {}).get("TopicArn")
            if topic and not topic_exists(platform, topic):
                raise invalid(f"Invalid SNS topic: {topic}", code="InvalidSnsTopic")
