"""AWS managed policies that serverless applications commonly attach, with their documents.

AWS publishes each in the [AWS managed policy reference](https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html);
the documents here are the versions current when this was written (the long ones — the DynamoDB and
Lambda full-access policies — keep the statements that concern the services overcast hosts and the
reads consoles make). Their ARNs are `arn:aws:iam::aws:policy<path><name>`. Those SAM, the CDK and
other serverless tools attach are in `managed_serverless.py`. Another AWS managed policy (one of the
~1,200 in the list AWS's SAM translator bundles) exists, with a document that grants nothing here;
an `arn:aws:iam::aws:policy/...` that is not one is answered as AWS answers a policy that does not
exist (`NoSuchEntity`).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from typing import Any

from overcast.authz.managed_serverless import MORE

log = logging.getLogger("overcast.iam")

LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def _allow(actions: list[str] | str, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


_DYNAMODB_READ = [
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
    "application-autoscaling:DescribeScalingPolicies", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
    "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
    "cloudwatch:GetMetricData", "datapipeline:DescribeObjects", "datapipeline:DescribePipelines",
    "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines", "datapipeline:QueryObjects",
    "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetAbacStatus", "dynamodb:GetItem",
    "dynamodb:GetResourcePolicy", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect", "dax:Describe*",
    "dax:List*", "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "ec2:DescribeVpcs",
    "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey",
    "kms:ListAliases", "sns:ListSubscriptionsByTopic", "sns:ListTopics", "lambda:ListFunctions",
    "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration", "resource-groups:ListGroups",
    "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
    "tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
]

#: name → (path, document)
MANAGED: dict[str, tuple[str, dict[str, Any]]] = {
    "AdministratorAccess": ("/", _doc(_allow("*"))),
    "PowerUserAccess": ("/", _doc(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        _allow(["account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeOrganization"]))),
    "IAMFullAccess": ("/", _doc(_allow(["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization",
                                        "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
                                        "organizations:ListChildren", "organizations:ListParents",
                                        "organizations:ListPoliciesForTarget", "organizations:ListRoots",
                                        "organizations:ListPolicies", "organizations:ListTargetsForPolicy"]))),
    "IAMReadOnlyAccess": ("/", _doc(_allow(["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails",
                                            "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy",
                                            "iam:SimulatePrincipalPolicy"]))),
    "AWSLambdaBasicExecutionRole": ("/service-role/", _doc(_allow(LOGS))),
    "AWSLambdaSQSQueueExecutionRole": ("/service-role/", _doc(_allow(
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *LOGS]))),
    "AWSLambdaDynamoDBExecutionRole": ("/service-role/", _doc(_allow(
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
         *LOGS]))),
    "AWSLambdaKinesisExecutionRole": ("/service-role/", _doc(_allow(
        ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
         "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard",
         *LOGS]))),
    "AWSLambdaVPCAccessExecutionRole": ("/service-role/", _doc(_allow(
        [*LOGS, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
         "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]))),
    "AWSLambdaRole": ("/service-role/", _doc(_allow(["lambda:InvokeFunction"], ["*"]))),
    "AWSLambdaInvocation-DynamoDB": ("/", _doc(_allow(["lambda:InvokeFunction"]), _allow(
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]))),
    "AWSLambda_FullAccess": ("/", _doc(
        _allow(["cloudformation:DescribeStacks", "cloudformation:ListStackResources", "cloudwatch:ListMetrics",
                "cloudwatch:GetMetricData", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
                "kms:ListAliases", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles", "lambda:*",
                "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines",
                "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces"]),
        _allow("iam:PassRole", "*", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        _allow(["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartLiveTail",
                "logs:StopLiveTail"], "arn:aws:logs:*:*:log-group:/aws/lambda/*"))),
    "AWSLambda_ReadOnlyAccess": ("/", _doc(_allow(
        ["cloudformation:DescribeStacks", "cloudformation:DescribeStackResources", "cloudwatch:GetMetricData",
         "cloudwatch:ListMetrics", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
         "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
         "iam:ListRolePolicies", "iam:ListRoles", "kms:ListAliases", "lambda:Get*", "lambda:List*",
         "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines", "tag:GetResources",
         "xray:GetTraceSummaries", "xray:BatchGetTraces"]))),
    "AmazonDynamoDBFullAccess": ("/", _doc(
        _allow(["dynamodb:*", "dax:*", "application-autoscaling:*", "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
                "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:PutMetricAlarm",
                "cloudwatch:GetMetricData", "datapipeline:*", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
                "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic",
                "sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes",
                "lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings",
                "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping",
                "lambda:GetFunctionConfiguration", "lambda:DeleteFunction", "resource-groups:ListGroups",
                "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
                "resource-groups:DeleteGroup", "resource-groups:CreateGroup", "tag:GetResources",
                "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary"]),
        _allow("cloudwatch:GetInsightRuleReport", "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*"),
        _allow("iam:PassRole", "*", Condition={"StringLike": {"iam:PassedToService": [
            "application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn",
            "dax.amazonaws.com"]}}))),
    "AmazonDynamoDBReadOnlyAccess": ("/", _doc(_allow(_DYNAMODB_READ))),
    "AmazonS3FullAccess": ("/", _doc(_allow(["s3:*", "s3-object-lambda:*"]))),
    "AmazonS3ReadOnlyAccess": ("/", _doc(_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                                 "s3-object-lambda:List*"]))),
    "AmazonSQSFullAccess": ("/", _doc(_allow(["sqs:*"]))),
    "AmazonSQSReadOnlyAccess": ("/", _doc(_allow(["sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                                  "sqs:ListDeadLetterSourceQueues", "sqs:ListQueues",
                                                  "sqs:ListMessageMoveTasks", "sqs:ListQueueTags"]))),
    "AmazonSNSFullAccess": ("/", _doc(_allow(["sns:*"]))),
    "AmazonSNSReadOnlyAccess": ("/", _doc(_allow(["sns:GetTopicAttributes", "sns:List*",
                                                  "sns:CheckIfPhoneNumberIsOptedOut", "sns:GetEndpointAttributes",
                                                  "sns:GetDataProtectionPolicy", "sns:GetPlatformApplicationAttributes",
                                                  "sns:GetSMSAttributes", "sns:GetSMSSandboxAccountStatus",
                                                  "sns:GetSubscriptionAttributes"]))),
    "AmazonKinesisFullAccess": ("/", _doc(_allow("kinesis:*"))),
    "AmazonKinesisReadOnlyAccess": ("/", _doc(_allow(["kinesis:Get*", "kinesis:List*", "kinesis:Describe*"]))),
    "AmazonEventBridgeFullAccess": ("/", _doc(
        _allow(["events:*", "schemas:*", "scheduler:*", "pipes:*"]),
        _allow("iam:PassRole", "arn:aws:iam::*:role/*", Condition={"StringLike": {
            "iam:PassedToService": "events.amazonaws.com"}}))),
    "AmazonEventBridgeReadOnlyAccess": ("/", _doc(_allow(["events:DescribeRule", "events:DescribeEventBus",
                                                          "events:DescribeEventSource", "events:ListEventBuses",
                                                          "events:ListEventSources", "events:ListRuleNamesByTarget",
                                                          "events:ListRules", "events:ListTargetsByRule",
                                                          "events:TestEventPattern", "events:DescribeArchive",
                                                          "events:ListArchives", "events:DescribeReplay",
                                                          "events:ListReplays", "events:DescribeConnection",
                                                          "events:ListConnections", "events:DescribeApiDestination",
                                                          "events:ListApiDestinations", "events:DescribeEndpoint",
                                                          "events:ListEndpoints", "schemas:Describe*", "schemas:Get*",
                                                          "schemas:List*", "schemas:Search*", "scheduler:Get*",
                                                          "scheduler:List*", "pipes:DescribePipe",
                                                          "pipes:ListPipes", "pipes:ListTagsForResource"]))),
    "AWSStepFunctionsFullAccess": ("/", _doc(_allow("states:*"), _allow("iam:ListRoles"),
                                             _allow("iam:PassRole", "arn:aws:iam::*:role/service-role/StepFunctions*"),
                                             _allow(["lambda:ListFunctions"]))),
    "AWSStepFunctionsReadOnlyAccess": ("/", _doc(_allow(["states:ListStateMachines", "states:ListActivities",
                                                         "states:Describe*", "states:GetExecutionHistory",
                                                         "states:ListExecutions", "states:ListMapRuns",
                                                         "states:ListTagsForResource",
                                                         "states:ListStateMachineVersions",
                                                         "states:ListStateMachineAliases"]))),
    "AWSXRayDaemonWriteAccess": ("/", _doc(_allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                                                   "xray:GetSamplingRules", "xray:GetSamplingTargets",
                                                   "xray:GetSamplingStatisticSummaries"]))),
    "CloudWatchLogsFullAccess": ("/", _doc(_allow(["logs:*", "cloudwatch:GenerateQuery"]))),
    "CloudWatchLogsReadOnlyAccess": ("/", _doc(_allow(["logs:Describe*", "logs:Get*", "logs:List*",
                                                       "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter",
                                                       "logs:FilterLogEvents", "logs:StartLiveTail",
                                                       "logs:StopLiveTail", "cloudwatch:GenerateQuery"]))),
    "CloudWatchFullAccess": ("/", _doc(_allow(["autoscaling:Describe*", "cloudwatch:*", "logs:*", "sns:*",
                                               "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
                                               "oam:ListSinks"]))),
    "AmazonAPIGatewayInvokeFullAccess": ("/", _doc(_allow(["execute-api:Invoke", "execute-api:ManageConnections"],
                                                          "arn:aws:execute-api:*:*:*"))),
    "AmazonAPIGatewayAdministrator": ("/", _doc(_allow(["apigateway:*"], "arn:aws:apigateway:*::/*"))),
    "SecretsManagerReadWrite": ("/", _doc(_allow(["secretsmanager:*", "cloudformation:CreateChangeSet",
                                                  "cloudformation:DescribeChangeSet",
                                                  "cloudformation:DescribeStackResource",
                                                  "cloudformation:DescribeStacks",
                                                  "cloudformation:ExecuteChangeSet", "kms:DescribeKey",
                                                  "kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions",
                                                  "rds:DescribeDBClusters", "rds:DescribeDBInstances",
                                                  "tag:GetResources"]))),
    "AmazonSSMReadOnlyAccess": ("/", _doc(_allow(["ssm:Describe*", "ssm:Get*", "ssm:List*"]))),
}


MANAGED.update(MORE)


def managed_arn(name: str) -> str:
    return f"arn:aws:iam::aws:policy{MANAGED[name][0]}{name}"


#: ARN → (name, path, document)
BY_ARN: dict[str, tuple[str, str, dict[str, Any]]] = {
    managed_arn(name): (name, path, document) for name, (path, document) in MANAGED.items()
}


_warned: set[str] = set()


@cache
def aws_managed_arns() -> frozenset[str]:
    """The ARNs of every AWS managed policy, from the list AWS's SAM translator (a dependency)
    bundles to resolve policy names; empty should the translator stop shipping it."""
    try:
        text = (resources.files("samtranslator") / "internal" / "data" / "aws_managed_policies.json").read_text()
        return frozenset(str(arn) for arn in json.loads(text)["aws"].values())
    except (OSError, ValueError, KeyError, ModuleNotFoundError):
        return frozenset()


def managed_policy(arn: str) -> tuple[str, str, dict[str, Any]] | None:
    """(name, path, document) of the AWS managed policy `arn`, None when AWS has none by that ARN. A
    policy overcast has no document for is answered with one that grants nothing (and a warning)."""
    found = BY_ARN.get(arn)
    if found is not None:
        return found
    if arn not in aws_managed_arns():
        return None
    rest = arn.split(":policy", 1)[1]
    path, _, name = rest.rpartition("/")
    if arn not in _warned:  # once per policy: principals read their policies on every call
        _warned.add(arn)
        log.warning("overcast has no document for the AWS managed policy %s: it grants nothing here", arn)
    return name, f"{path}/", {"Version": "2012-10-17", "Statement": []}
