"""More AWS managed policies, the ones AWS SAM, the AWS CDK and serverless frameworks attach to the
roles they make (API Gateway's and AppSync's logging roles, CodeDeploy's Lambda deployments, Lambda
Insights, X-Ray tracing, ECS task execution, Systems Manager...), with their documents as the
[AWS managed policy reference](https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html)
publishes them. `managed.MANAGED` holds them with the others.
"""

from __future__ import annotations

from typing import Any


def _allow(actions: list[str] | str, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


_XRAY_WRITE = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
               "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"]
_ENI = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
_CODEDEPLOY_S3 = ["s3:GetObject", "s3:GetObjectVersion"]


def _codedeploy_for_lambda(first: list[str]) -> dict[str, Any]:
    return _doc(_allow(first),
                _allow(_CODEDEPLOY_S3, "arn:aws:s3:::*/CodeDeploy/*"),
                _allow(_CODEDEPLOY_S3, "*", Condition={"StringEquals": {"s3:ExistingObjectTag/UseWithCodeDeploy": "true"}}),
                _allow(["lambda:InvokeFunction"], "arn:aws:lambda:*:*:function:CodeDeployHook_*"))


_CODEDEPLOY_LAMBDA = ["cloudwatch:DescribeAlarms", "lambda:UpdateAlias", "lambda:GetAlias",
                      "lambda:GetProvisionedConcurrencyConfig"]

#: name → (path, document)
MORE: dict[str, tuple[str, dict[str, Any]]] = {
    "AWSXrayWriteOnlyAccess": ("/", _doc(_allow(_XRAY_WRITE, ["*"]))),
    "AWSXrayFullAccess": ("/", _doc(_allow(["xray:*"], ["*"]))),
    "AWSLambdaExecute": ("/", _doc(_allow(["logs:*"], "arn:aws:logs:*:*:*"),
                                   _allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::*"))),
    "AWSLambdaENIManagementAccess": ("/service-role/", _doc(_allow(_ENI))),
    "AWSLambdaMSKExecutionRole": ("/service-role/", _doc(_allow(
        ["kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers", "ec2:CreateNetworkInterface",
         "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets",
         "ec2:DescribeSecurityGroups", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonAPIGatewayPushToCloudWatchLogs": ("/service-role/", _doc(_allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
         "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"]))),
    "AWSAppSyncPushToCloudWatchLogs": ("/service-role/", _doc(_allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AWSCodeDeployRoleForLambda": ("/service-role/", _codedeploy_for_lambda([*_CODEDEPLOY_LAMBDA, "sns:Publish"])),
    "AWSCodeDeployRoleForLambdaLimited": ("/service-role/", _codedeploy_for_lambda(_CODEDEPLOY_LAMBDA)),
    "CloudWatchLambdaInsightsExecutionRolePolicy": ("/", _doc(
        _allow("logs:CreateLogGroup"),
        _allow(["logs:CreateLogStream", "logs:PutLogEvents"], "arn:aws:logs:*:*:log-group:/aws/lambda-insights:*"))),
    "CloudWatchAgentServerPolicy": ("/", _doc(
        _allow(["cloudwatch:PutMetricData", "ec2:DescribeVolumes", "ec2:DescribeTags", "logs:PutLogEvents",
                "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DescribeLogGroups",
                "logs:CreateLogStream", "logs:CreateLogGroup", *_XRAY_WRITE]),
        _allow(["ssm:GetParameter"], "arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"))),
    "AmazonECSTaskExecutionRolePolicy": ("/service-role/", _doc(_allow(
        ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
         "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonS3ObjectLambdaExecutionRolePolicy": ("/service-role/", _doc(_allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "s3-object-lambda:WriteGetObjectResponse"]))),
    "AmazonEventBridgeSchedulerFullAccess": ("/", _doc(
        _allow("scheduler:*"),
        _allow("iam:PassRole", "arn:aws:iam::*:role/*", Condition={"StringLike": {
            "iam:PassedToService": "scheduler.amazonaws.com"}}))),
    "AmazonKinesisFirehoseFullAccess": ("/", _doc(_allow(["firehose:*"]))),
    "AmazonSESFullAccess": ("/", _doc(_allow(["ses:*"]))),
    "AWSCloudFormationFullAccess": ("/", _doc(_allow(["cloudformation:*"]))),
    "AWSCloudFormationReadOnlyAccess": ("/", _doc(_allow(
        ["cloudformation:Describe*", "cloudformation:EstimateTemplateCost", "cloudformation:Get*",
         "cloudformation:List*", "cloudformation:ValidateTemplate", "cloudformation:Detect*"]))),
    "AWSStepFunctionsConsoleFullAccess": ("/", _doc(
        _allow("states:*"), _allow("iam:ListRoles"),
        _allow("iam:PassRole", "arn:aws:iam::*:role/service-role/StepFunctions*"),
        _allow("lambda:ListFunctions"),
        _allow(["xray:GetTraceSummaries", "xray:BatchGetTraces"]))),
    "AWSKeyManagementServicePowerUser": ("/", _doc(_allow(
        ["kms:CreateAlias", "kms:CreateKey", "kms:DeleteAlias", "kms:Describe*", "kms:GenerateRandom", "kms:Get*",
         "kms:List*", "kms:TagResource", "kms:UntagResource", "iam:ListGroups", "iam:ListRoles", "iam:ListUsers"]))),
    "AmazonSSMManagedInstanceCore": ("/", _doc(
        _allow(["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
                "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
                "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation"]),
        _allow(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]),
        _allow(["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"]))),
}
