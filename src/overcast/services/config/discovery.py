"""What the recorder sees: overcast's own resources, read through the services' own list and
describe operations (called in process, as `overcast status` does), shaped as the `configuration`
and `supplementaryConfiguration` of AWS Config's configuration items.

AWS's item for each type (https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html)
holds the resource as its service describes it: S3 buckets, Lambda functions, DynamoDB tables and IAM
roles with the Describe output's members in lowerCamelCase, SQS queues with the queue's attributes.
Figures that move without a configuration change (item counts, message counts) are left out, so
that they do not make a new item."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from overcast.context import RequestContext
from overcast.reads import read, read_pages


@dataclass
class Resource:
    """One resource as the recorder captures it."""

    resource_type: str
    resource_id: str
    name: str
    arn: str
    configuration: dict[str, Any]
    created: float | None = None
    supplementary: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


def camel(value: Any) -> Any:
    """A describe output in Config's form: member names in lowerCamelCase, timestamps as ISO 8601."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _epoch(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value) if isinstance(value, (int, float)) else None


async def buckets(gateway: Any, ctx: RequestContext) -> list[Resource]:
    found = []
    listing = await read(gateway, "s3", "list_buckets", ctx)
    for bucket in listing.get("Buckets", []):
        if bucket.get("BucketRegion", ctx.region) != ctx.region:
            continue
        name = bucket["Name"]
        versioning = await read(gateway, "s3", "get_bucket_versioning", ctx, bucket=name)
        tagging = await read(gateway, "s3", "get_bucket_tagging", ctx, bucket=name)
        created = _epoch(bucket.get("CreationDate"))
        found.append(Resource(
            "AWS::S3::Bucket", name, name, f"arn:aws:s3:::{name}",
            {"name": name, "owner": camel(listing.get("Owner") or {}),
             "creationDate": bucket["CreationDate"].isoformat() if isinstance(bucket.get("CreationDate"), datetime)
             else bucket.get("CreationDate")},
            created=created,
            supplementary={"BucketVersioningConfiguration": {"status": versioning.get("Status", "Off"),
                                                             "isMfaDeleteEnabled": None}},
            tags={t["Key"]: t["Value"] for t in tagging.get("TagSet", [])}))
    return found


async def functions(gateway: Any, ctx: RequestContext) -> list[Resource]:
    found = []
    for function in await read_pages(gateway, "lambda", "list_functions", ctx, "Functions", "marker", "NextMarker"):
        config = {k: v for k, v in function.items() if k not in ("RevisionId",)}
        tags = (await read(gateway, "lambda", "list_tags", ctx, resource=function["FunctionArn"])).get("Tags") or {}
        found.append(Resource("AWS::Lambda::Function", function["FunctionName"], function["FunctionName"],
                              function["FunctionArn"], camel(config), tags=dict(tags)))
    return found


async def queues(gateway: Any, ctx: RequestContext) -> list[Resource]:
    found = []
    for url in await read_pages(gateway, "sqs", "list_queues", ctx, "QueueUrls", "next_token", "NextToken"):
        attributes = (await read(gateway, "sqs", "get_queue_attributes", ctx, queue_url=url,
                                  attribute_names=["All"])).get("Attributes")
        if attributes is None:
            continue
        config = {k: v for k, v in attributes.items() if not k.startswith("Approximate")}
        config["QueueUrl"] = url
        name = str(url).rsplit("/", 1)[-1]
        created = config.get("CreatedTimestamp")
        found.append(Resource("AWS::SQS::Queue", url, name, attributes.get("QueueArn", ""), config,
                              created=float(created) if created else None))
    return found


async def tables(gateway: Any, ctx: RequestContext) -> list[Resource]:
    found = []
    for name in await read_pages(gateway, "dynamodb", "list_tables", ctx, "TableNames",
                                 "exclusive_start_table_name", "LastEvaluatedTableName"):
        table = (await read(gateway, "dynamodb", "describe_table", ctx, table_name=name)).get("Table")
        if table is None:
            continue
        config = {k: v for k, v in table.items() if k not in ("ItemCount", "TableSizeBytes")}
        found.append(Resource("AWS::DynamoDB::Table", name, name, table["TableArn"], camel(config),
                              created=_epoch(table.get("CreationDateTime"))))
    return found


async def roles(gateway: Any, ctx: RequestContext) -> list[Resource]:
    """IAM is global: AWS records roles in one region; overcast records them in each recording region."""
    found = []
    for role in await read_pages(gateway, "iam", "list_roles", ctx, "Roles", "marker", "Marker"):
        found.append(Resource("AWS::IAM::Role", role["RoleId"], role["RoleName"], role["Arn"],
                              camel({k: v for k, v in role.items() if k != "RoleLastUsed"}),
                              created=_epoch(role.get("CreateDate"))))
    return found


async def topics(gateway: Any, ctx: RequestContext) -> list[Resource]:
    """SNS topics: the topic's attributes, less the subscription counts (they move without a change)."""
    found = []
    for topic in await read_pages(gateway, "sns", "list_topics", ctx, "Topics", "next_token", "NextToken"):
        arn = topic["TopicArn"]
        attributes = (await read(gateway, "sns", "get_topic_attributes", ctx, topic_arn=arn)).get("Attributes")
        if attributes is None:
            continue
        config = {k: v for k, v in attributes.items() if not k.startswith("Subscriptions")}
        tags = (await read(gateway, "sns", "list_tags_for_resource", ctx, resource_arn=arn)).get("Tags") or []
        found.append(Resource("AWS::SNS::Topic", arn, arn.rsplit(":", 1)[-1], arn, config,
                              tags={t["Key"]: t["Value"] for t in tags}))
    return found


async def event_rules(gateway: Any, ctx: RequestContext) -> list[Resource]:
    """EventBridge rules of the default bus, with their targets."""
    found = []
    for rule in await read_pages(gateway, "events", "list_rules", ctx, "Rules", "next_token", "NextToken"):
        targets = (await read(gateway, "events", "list_targets_by_rule", ctx, rule=rule["Name"])).get("Targets") or []
        found.append(Resource("AWS::Events::Rule", rule["Name"], rule["Name"], rule["Arn"],
                              {**rule, "Targets": targets}))
    return found


async def state_machines(gateway: Any, ctx: RequestContext) -> list[Resource]:
    """Step Functions state machines as DescribeStateMachine shows them."""
    found = []
    for machine in await read_pages(gateway, "stepfunctions", "list_state_machines", ctx, "stateMachines",
                                    "next_token", "nextToken"):
        arn = machine["stateMachineArn"]
        described = await read(gateway, "stepfunctions", "describe_state_machine", ctx, state_machine_arn=arn)
        if not described:
            continue
        config = {k: v for k, v in described.items() if k != "ResponseMetadata"}
        found.append(Resource("AWS::StepFunctions::StateMachine", arn, machine["name"], arn, camel(config),
                              created=_epoch(described.get("creationDate"))))
    return found


#: resource type → the reader of its resources
READERS: dict[str, Callable[[Any, RequestContext], Awaitable[list[Resource]]]] = {
    "AWS::S3::Bucket": buckets,
    "AWS::Lambda::Function": functions,
    "AWS::SQS::Queue": queues,
    "AWS::DynamoDB::Table": tables,
    "AWS::IAM::Role": roles,
    "AWS::SNS::Topic": topics,
    "AWS::Events::Rule": event_rules,
    "AWS::StepFunctions::StateMachine": state_machines,
}


async def discover(gateway: Any, ctx: RequestContext, types: list[str] | None) -> list[Resource]:
    """Every resource of the given types (None: every type overcast records) in ctx's account and region."""
    found: list[Resource] = []
    for resource_type, reader in READERS.items():
        if types is None or resource_type in types:
            found += await reader(gateway, ctx)
    return found
