"""What an API call asks IAM for: the action(s) and resource ARN(s) of an operation, and the request's
condition keys (docs/iam.md).

The action is `<service prefix>:<Operation>` (the prefix of AWS's
[Service Authorization Reference](https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
which is the model's signing name except where `PREFIXES` says otherwise), with the operations whose
action is named differently in `RENAMED` (S3's ListObjectsV2 is `s3:ListBucket`, Lambda's Invoke
`lambda:InvokeFunction`...). The resource is built from the request's members in the ARN format the
reference gives for the service's resource types; an operation that acts on no resource (ListQueues)
is checked on `*`. Batch and transaction operations of DynamoDB ask for one action per table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from overcast.authz.keys import request_keys
from overcast.context import RequestContext

Pairs = list[tuple[str, str]]

#: signing name → IAM service prefix, where they differ
PREFIXES = {"monitoring": "cloudwatch", "email": "ses", "execute-api": "execute-api", "tagging": "tag"}

#: (prefix, operation) → IAM action name, where the action is not the operation's name
RENAMED = {
    ("lambda", "Invoke"): "InvokeFunction", ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
    ("sqs", "SendMessageBatch"): "SendMessage", ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("sns", "PublishBatch"): "Publish",
    ("s3", "ListObjects"): "ListBucket", ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions", ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket", ("s3", "DeleteObjects"): "DeleteObject", ("s3", "CopyObject"): "PutObject",
    ("s3", "CreateMultipartUpload"): "PutObject", ("s3", "UploadPart"): "PutObject",
    ("s3", "UploadPartCopy"): "PutObject", ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "ListParts"): "ListMultipartUploadParts", ("s3", "ListMultipartUploads"): "ListBucketMultipartUploads",
    ("s3", "ListBuckets"): "ListAllMyBuckets", ("s3", "SelectObjectContent"): "GetObject",
    ("s3", "GetBucketNotificationConfiguration"): "GetBucketNotification",
    ("s3", "PutBucketNotificationConfiguration"): "PutBucketNotification",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "PutLifecycleConfiguration",
    ("s3", "GetBucketCors"): "GetBucketCORS", ("s3", "PutBucketCors"): "PutBucketCORS",
    ("s3", "DeleteBucketCors"): "PutBucketCORS", ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "DeleteBucketTagging"): "PutBucketTagging", ("s3", "DeleteBucketWebsite"): "DeleteBucketWebsite",
    ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
    ("s3", "PutBucketReplication"): "PutReplicationConfiguration",
    ("s3", "DeleteBucketReplication"): "PutReplicationConfiguration",
    ("s3", "GetObjectLockConfiguration"): "GetBucketObjectLockConfiguration",
    ("s3", "PutObjectLockConfiguration"): "PutBucketObjectLockConfiguration",
    ("s3", "GetObjectAttributes"): "GetObjectAttributes",
    ("s3", "GetBucketOwnershipControls"): "GetBucketOwnershipControls",
    ("dynamodb", "ExecuteStatement"): "PartiQLSelect", ("dynamodb", "BatchExecuteStatement"): "PartiQLSelect",
    ("logs", "StartLiveTail"): "StartLiveTail",
}

#: create operations that, given tags, also need the service's tagging action on the new resource,
#: as their API references say ("To be able to tag a queue on creation, you must have the
#: sqs:CreateQueue and sqs:TagQueue permissions")
TAG_ON_CREATE = {("sqs", "CreateQueue"): "TagQueue", ("sns", "CreateTopic"): "TagResource",
                 ("secretsmanager", "CreateSecret"): "TagResource"}

#: operations that need no permission at all (STS's GetCallerIdentity, as on AWS)
FREE = {("sts", "GetCallerIdentity")}


def action_name(prefix: str, operation: str) -> str:
    return f"{prefix}:{RENAMED.get((prefix, operation), operation)}"


def _arn_or(value: Any, build: Callable[[str], str]) -> str:
    text = str(value)
    return text if text.startswith("arn:") else build(text)


def _generic(params: dict[str, Any]) -> list[str]:
    """An operation without a builder acts on the ARNs it names (`...Arn` members), else on `*`."""
    found = [v for k, v in params.items() if k.lower().endswith("arn") and isinstance(v, str) and v.startswith("arn:")]
    return found or ["*"]


def _sqs(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    url = p.get("QueueUrl")
    if url:
        parts = [unquote(s) for s in urlsplit(str(url)).path.split("/") if s]
        if len(parts) >= 2:
            region = parts[-3] if len(parts) >= 4 and parts[-4] == "queue" else ctx.region
            return [f"arn:aws:sqs:{region}:{parts[-2]}:{parts[-1]}"]
    if op in ("CreateQueue", "GetQueueUrl") and p.get("QueueName"):
        account = p.get("QueueOwnerAWSAccountId") or ctx.account
        return [f"arn:aws:sqs:{ctx.region}:{account}:{p['QueueName']}"]
    return ["*"]


def _sns(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    for key in ("TopicArn", "TargetArn", "ResourceArn"):
        if p.get(key):
            return [str(p[key])]
    if p.get("SubscriptionArn"):
        return [str(p["SubscriptionArn"]).rsplit(":", 1)[0]]
    if op == "CreateTopic" and p.get("Name"):
        return [f"arn:aws:sns:{ctx.region}:{ctx.account}:{p['Name']}"]
    return ["*"]


def table_arn(ctx: RequestContext, name: Any, index: Any = None) -> str:
    """A table's (or its index's) ARN from its name or ARN."""
    arn = _arn_or(name, lambda n: f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{n}")
    return f"{arn}/index/{index}" if index else arn


def _dynamodb_pairs(ctx: RequestContext, op: str, p: dict[str, Any]) -> Pairs | None:
    """One (action, table) per table of a batch or transaction (AWS checks each)."""
    if op in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{op}", table_arn(ctx, name)) for name in p.get("RequestItems") or {}]
    if op in ("TransactWriteItems", "TransactGetItems"):
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                 "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
        pairs = []
        for item in p.get("TransactItems") or []:
            for kind, body in item.items():
                if kind in kinds and isinstance(body, dict) and body.get("TableName"):
                    pairs.append((f"dynamodb:{kinds[kind]}", table_arn(ctx, body["TableName"])))
        return pairs
    return None


def _dynamodb(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    if p.get("StreamArn"):
        return [str(p["StreamArn"])]
    if p.get("TableName"):
        return [table_arn(ctx, p["TableName"], p.get("IndexName"))]
    if p.get("ResourceArn"):
        return [str(p["ResourceArn"])]
    return ["*"]


def _lambda(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    from overcast.services.lambda_.inbox import resource_arn

    if p.get("FunctionName"):
        return [resource_arn(str(p["FunctionName"]), ctx.account, ctx.region, p.get("Qualifier"))]
    if p.get("UUID"):
        return [f"arn:aws:lambda:{ctx.region}:{ctx.account}:event-source-mapping:{p['UUID']}"]
    if p.get("LayerName"):
        layer = _arn_or(p["LayerName"], lambda n: f"arn:aws:lambda:{ctx.region}:{ctx.account}:layer:{n}")
        return [f"{layer}:{p['VersionNumber']}" if p.get("VersionNumber") else layer]
    return _generic(p)


def _s3(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    bucket = p.get("Bucket")
    if not bucket:
        return ["*"]
    if p.get("Key") is not None and op not in ("ListObjects", "ListObjectsV2"):
        return [f"arn:aws:s3:::{bucket}/{p['Key']}"]
    if op == "DeleteObjects":
        objects = (p.get("Delete") or {}).get("Objects") or []
        return [f"arn:aws:s3:::{bucket}/{o.get('Key')}" for o in objects] or [f"arn:aws:s3:::{bucket}"]
    return [f"arn:aws:s3:::{bucket}"]


def _s3_pairs(ctx: RequestContext, op: str, p: dict[str, Any]) -> Pairs | None:
    if op in ("CopyObject", "UploadPartCopy") and p.get("CopySource"):
        source = unquote(str(p["CopySource"]).lstrip("/")).split("?versionId=")[0]
        return [("s3:PutObject", f"arn:aws:s3:::{p['Bucket']}/{p['Key']}"), ("s3:GetObject", f"arn:aws:s3:::{source}")]
    return None


def _bus(ctx: RequestContext, name: Any) -> str:
    return _arn_or(name or "default", lambda n: f"arn:aws:events:{ctx.region}:{ctx.account}:event-bus/{n}")


def _events(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    if op == "PutEvents":
        return sorted({_bus(ctx, e.get("EventBusName")) for e in p.get("Entries") or []}) or [_bus(ctx, None)]
    rule = p.get("Rule") if "Rule" in p else p.get("Name") if "Rule" in op or op in (
        "DescribeRule", "DeleteRule", "EnableRule", "DisableRule") else None
    if rule:
        bus = str(p.get("EventBusName") or "default").rsplit("/", 1)[-1]
        path = f"rule/{rule}" if bus == "default" else f"rule/{bus}/{rule}"
        return [_arn_or(rule, lambda _: f"arn:aws:events:{ctx.region}:{ctx.account}:{path}")]
    if "EventBus" in op or op in ("PutPermission", "RemovePermission"):
        return [_bus(ctx, p.get("Name") or p.get("EventBusName"))]
    if p.get("ResourceARN"):
        return [str(p["ResourceARN"])]
    kinds = {"Archive": "archive", "Connection": "connection", "ApiDestination": "api-destination",
             "Replay": "replay", "Endpoint": "endpoint"}
    for suffix, kind in kinds.items():
        name = p.get("ArchiveName") if suffix == "Archive" else p.get("ReplayName") if suffix == "Replay" else p.get("Name")
        if op.endswith(suffix) and name:
            return [f"arn:aws:events:{ctx.region}:{ctx.account}:{kind}/{name}"]
    return _generic(p)


def _kinesis(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    if p.get("ConsumerARN"):
        return [str(p["ConsumerARN"])]
    if p.get("StreamARN"):
        return [str(p["StreamARN"])]
    if p.get("StreamName"):
        return [f"arn:aws:kinesis:{ctx.region}:{ctx.account}:stream/{p['StreamName']}"]
    return _generic(p)


def _logs(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    group = p.get("logGroupName") or p.get("logGroupIdentifier")
    if not group:
        return _generic(p)
    base = _arn_or(group, lambda n: f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{n}")
    if p.get("logStreamName"):
        return [f"{base.removesuffix(':*')}:log-stream:{p['logStreamName']}"]
    return [base if base.endswith(":*") else f"{base}:*"]


def _iam(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    base = f"arn:aws:iam::{ctx.account}:"
    for key, kind in (("RoleName", "role"), ("UserName", "user"), ("InstanceProfileName", "instance-profile"),
                      ("GroupName", "group")):
        if p.get(key):
            return [f"{base}{kind}{p.get('Path') or '/'}{p[key]}" if op.startswith("Create") else f"{base}{kind}/{p[key]}"]
    if p.get("PolicyArn"):
        return [str(p["PolicyArn"])]
    if op == "CreatePolicy" and p.get("PolicyName"):
        return [f"{base}policy{p.get('Path') or '/'}{p['PolicyName']}"]
    return ["*"]


def _states(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    for key in ("executionArn", "stateMachineArn", "activityArn", "mapRunArn", "resourceArn"):
        if p.get(key):
            return [str(p[key])]
    if op == "CreateStateMachine" and p.get("name"):
        return [f"arn:aws:states:{ctx.region}:{ctx.account}:stateMachine:{p['name']}"]
    return ["*"]


def _ssm(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    names = [p["Name"]] if p.get("Name") else list(p.get("Names") or [])
    if p.get("Path"):
        names.append(p["Path"])
    if not names:
        return _generic(p)
    return [_arn_or(n, lambda n: f"arn:aws:ssm:{ctx.region}:{ctx.account}:parameter"
                    + (n if n.startswith("/") else f"/{n}")) for n in names]


def _secretsmanager(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    """The secrets a call names (`SecretId`, `SecretIdList`), as partial ARNs: the guard completes
    each with the secret's six random characters (`secret_arn`), as AWS evaluates the full ARN."""
    ids = [p["SecretId"]] if p.get("SecretId") else list(p.get("SecretIdList") or [])
    if not ids:
        return _generic(p)
    return [_arn_or(i, lambda n: f"arn:aws:secretsmanager:{ctx.region}:{ctx.account}:secret:{n}") for i in ids]


def _sts(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    return [str(p["RoleArn"])] if p.get("RoleArn") else ["*"]


def _sts_pairs(ctx: RequestContext, op: str, p: dict[str, Any]) -> Pairs | None:
    """AssumeRole that passes session tags also needs `sts:TagSession`, and one that sets a source
    identity `sts:SetSourceIdentity`, from the role's trust policy
    ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html))."""
    if not op.startswith("AssumeRole") or not p.get("RoleArn"):
        return None
    role = str(p["RoleArn"])
    pairs = [(f"sts:{op}", role)]
    if p.get("Tags") or p.get("TransitiveTagKeys"):
        pairs.append(("sts:TagSession", role))
    if p.get("SourceIdentity"):
        pairs.append(("sts:SetSourceIdentity", role))
    return pairs


def _cloudwatch(ctx: RequestContext, op: str, p: dict[str, Any]) -> list[str]:
    names = [p["AlarmName"]] if p.get("AlarmName") else list(p.get("AlarmNames") or [])
    if names:
        return [f"arn:aws:cloudwatch:{ctx.region}:{ctx.account}:alarm:{n}" for n in names]
    return _generic(p)


BUILDERS: dict[str, Callable[[RequestContext, str, dict[str, Any]], list[str]]] = {
    "sqs": _sqs, "sns": _sns, "dynamodb": _dynamodb, "lambda": _lambda, "s3": _s3, "events": _events,
    "kinesis": _kinesis, "logs": _logs, "iam": _iam, "states": _states, "ssm": _ssm, "sts": _sts,
    "cloudwatch": _cloudwatch, "secretsmanager": _secretsmanager,
}
PAIRS: dict[str, Callable[[RequestContext, str, dict[str, Any]], Pairs | None]] = {
    "dynamodb": _dynamodb_pairs, "s3": _s3_pairs, "sts": _sts_pairs,
}


def requested(prefix: str, ctx: RequestContext, op: str, params: dict[str, Any]) -> Pairs:
    """The (action, resource ARN) pairs an operation needs allowed; empty when it needs none."""
    if (prefix, op) in FREE:
        return []
    special = PAIRS.get(prefix)
    if special is not None:
        pairs = special(ctx, op, params)
        if pairs is not None:
            return pairs
    build = BUILDERS.get(prefix, lambda _c, _o, p: _generic(p))
    action = action_name(prefix, op)
    resources = build(ctx, op, params)
    pairs = [(action, resource) for resource in resources]
    tagging = TAG_ON_CREATE.get((prefix, op))
    if tagging is not None and any(params.get(member) for member in ("Tags", "tags")):
        pairs += [(f"{prefix}:{tagging}", resource) for resource in resources]
    return pairs + passed_roles(params)


#: members that hand a role to a service, which needs `iam:PassRole` on it
_ROLE_MEMBERS = ("Role", "RoleArn", "RoleARN", "roleArn", "ExecutionRoleArn", "ServiceRoleArn", "DeliveryStreamRoleArn")


def passed_roles(params: dict[str, Any]) -> Pairs:
    """`iam:PassRole` on every role the request hands to the service (a function's execution role,
    a rule target's or schedule's role, a state machine's role), as AWS requires
    ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)); targets
    lists (`Targets`, `Target`) are looked into one level down."""
    found: list[str] = []
    for holder in [params, params.get("Target"), *(params.get("Targets") or [])]:
        if isinstance(holder, dict):
            found += [str(holder[m]) for m in _ROLE_MEMBERS
                      if isinstance(holder.get(m), str) and ":iam::" in holder[m] and ":role/" in holder[m]]
    return [("iam:PassRole", role) for role in dict.fromkeys(found)]


def request_context(ctx: RequestContext, params: dict[str, Any], now: float, prefix: str = "") -> dict[str, Any]:
    """The request's global condition keys (lowercased): region, transport, time, source IP, and
    `iam:PassedToService` (the service a passed role is handed to). Tags and the service's own keys
    come from `service_keys`."""
    req = ctx.request
    keys = request_keys(region=ctx.region, secure=req is not None and req.scheme == "https",
                        source_ip=req.client if req is not None else None, now=now)
    if prefix:
        keys["iam:passedtoservice"] = f"{prefix}.amazonaws.com"
    return keys
