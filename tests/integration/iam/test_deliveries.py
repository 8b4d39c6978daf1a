"""`--iam enforce` between services: EventBridge, SNS and S3 deliver to a queue only when its policy
allows their service principal for the source (aws:SourceArn); event source mappings read with the
function's execution role; a function's own SDK calls act as its role's session."""

from __future__ import annotations

import json
import time
import uuid

from overcast.testing import wait_until
from overcast.testing.lambdas import wait_settled, zip_handler
from tests.integration.iam.conftest import allow, doc, report

LAMBDA_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _queue(account, name: str) -> tuple[str, str]:
    url = account.root("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{account.id}:{name}"


def _allow_service(account, url: str, queue: str, service: str, source: str) -> None:
    grant = doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage",
                 "Resource": queue, "Condition": {"ArnEquals": {"aws:SourceArn": source}}})
    account.root("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(grant)})


def _denied(server, principal: str, resource: str) -> dict:
    return wait_until(lambda: next((d for d in report(server) if d["principal"] == principal
                                    and d["resource"] == resource), None), 30, f"a denial of {principal}")


def _bodies(account, url: str, count: int) -> list[str]:
    sqs = account.root("sqs")
    got: list[str] = []

    def receive() -> bool:
        got.extend(m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))
        return len(got) >= count

    wait_until(receive, 30, f"{count} messages")
    return got


def _depth(account, url: str) -> int:
    attrs = account.root("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
    return sum(int(v) for v in attrs["Attributes"].values())


def test_eventbridge_to_sqs_needs_the_queue_policy(account, enforcing):
    url, queue = _queue(account, "events-target")
    events = account.root("events")
    rule = events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": queue}])
    entry = {"Source": "shop", "DetailType": "Order", "Detail": "{}"}
    events.put_events(Entries=[entry])
    denial = _denied(enforcing, "events.amazonaws.com", queue)
    assert denial["action"] == "sqs:SendMessage"
    assert denial["message"].endswith("because no resource-based policy allows the sqs:SendMessage action")
    assert denial["grant"]["statement"]["Condition"] == {"ArnEquals": {"aws:SourceArn": rule}}
    assert _depth(account, url) == 0
    _allow_service(account, url, queue, "events.amazonaws.com", rule + "-other")  # the wrong rule
    events.put_events(Entries=[entry])
    wait_until(lambda: sum(d["count"] for d in report(enforcing) if d["principal"] == "events.amazonaws.com"
                           and d["resource"] == queue) >= 2, 30, "the second denial")
    _allow_service(account, url, queue, "events.amazonaws.com", rule)
    events.put_events(Entries=[entry])
    assert json.loads(_bodies(account, url, 1)[0])["source"] == "shop"


def test_sns_to_sqs_needs_the_queue_policy(account, enforcing):
    url, queue = _queue(account, "sns-target")
    sns = account.root("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="first")
    _denied(enforcing, "sns.amazonaws.com", queue)
    assert _depth(account, url) == 0
    _allow_service(account, url, queue, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="second")
    assert _bodies(account, url, 1) == ["second"]


def test_s3_notification_to_sqs_needs_the_queue_policy(account, enforcing):
    url, queue = _queue(account, "s3-target")
    s3 = account.root("s3")
    bucket = f"uploads-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue, "Events": ["s3:ObjectCreated:*"]}]})
    account.root("sqs").purge_queue(QueueUrl=url)  # S3's test event
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    _denied(enforcing, "s3.amazonaws.com", queue)
    _allow_service(account, url, queue, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"b")
    records = [json.loads(b) for b in _bodies(account, url, 1)]
    keys = [r["s3"]["object"]["key"] for body in records for r in body.get("Records", [])]
    assert keys == ["b.txt"]


def _function(account, source: str, role_policy: str | None = None) -> tuple[str, str]:
    iam = account.root("iam")
    name = f"fn-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    if role_policy:
        iam.attach_role_policy(RoleName=f"{name}-role", PolicyArn=role_policy)
    lam = account.root("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                        Code={"ZipFile": zip_handler(source)}, Timeout=30)
    wait_settled(lam, name)
    return name, role


SQS_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


def test_event_source_mapping_reads_with_the_execution_role(account, enforcing):
    from tests.integration.iam.conftest import refused

    url, queue = _queue(account, "esm-source")
    name, role = _function(account, "def handler(event, context):\n    return None\n")
    lam = account.root("lambda")
    code, message, _ = refused(lam.create_event_source_mapping, EventSourceArn=queue, FunctionName=name)
    assert (code, message) == ("InvalidParameterValueException",
                               "The provided execution role does not have permissions to call ReceiveMessage on SQS")
    iam = account.root("iam")
    role_name = role.rsplit("/", 1)[1]
    iam.attach_role_policy(RoleName=role_name, PolicyArn=SQS_EXECUTION)
    lam.create_event_source_mapping(EventSourceArn=queue, FunctionName=name, BatchSize=1)
    account.root("sqs").send_message(QueueUrl=url, MessageBody="hello")
    wait_until(lambda: _depth(account, url) == 0, 60, "the message processed and deleted")
    # the grant taken away: the poller stops receiving (each attempt is a reported denial), messages wait
    session = f"arn:aws:sts::{account.id}:assumed-role/{role_name}/{name}"

    def denials() -> int:
        return sum(d["count"] for d in report(enforcing) if d["principal"] == session
                   and d["action"] == "sqs:ReceiveMessage")

    before = denials()
    iam.detach_role_policy(RoleName=role_name, PolicyArn=SQS_EXECUTION)
    wait_until(lambda: denials() > before, 30, "the poller's denial")
    account.root("sqs").send_message(QueueUrl=url, MessageBody="later")
    wait_until(lambda: denials() > before + 1, 30, "a later denial")
    assert _depth(account, url) == 1


HANDLER = """
import boto3, os
from botocore.exceptions import ClientError

def handler(event, context):
    sqs = boto3.client("sqs")
    try:
        sqs.send_message(QueueUrl=event["url"], MessageBody="from the function")
        return {"sent": True}
    except ClientError as error:
        return {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
"""


def test_a_function_calls_services_as_its_execution_role(account):
    url, queue = _queue(account, "fn-target")
    name, role = _function(account, HANDLER)
    lam = account.root("lambda")
    answer = json.loads(lam.invoke(FunctionName=name, Payload=json.dumps({"url": url}))["Payload"].read())
    role_name = role.rsplit("/", 1)[1]
    assert answer == {"code": "AccessDenied", "message": (
        f"User: arn:aws:sts::{account.id}:assumed-role/{role_name}/{name} is not authorized to perform: "
        f"sqs:SendMessage on resource: {queue} because no identity-based policy allows the sqs:SendMessage action")}
    account.root("iam").put_role_policy(RoleName=role_name, PolicyName="send",
                                        PolicyDocument=json.dumps(doc(allow("sqs:SendMessage", queue))))
    answer = json.loads(lam.invoke(FunctionName=name, Payload=json.dumps({"url": url}))["Payload"].read())
    assert answer == {"sent": True}


def test_lambda_destinations_are_sent_with_the_execution_role(account, enforcing):
    url, queue = _queue(account, "on-failure")
    name, role = _function(account, "def handler(event, context):\n    raise ValueError('no')\n")
    lam = account.root("lambda")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": queue}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    role_name = role.rsplit("/", 1)[1]
    denial = _denied(enforcing, f"arn:aws:sts::{account.id}:assumed-role/{role_name}/{name}", queue)
    assert denial["message"].endswith("because no identity-based policy allows the sqs:SendMessage action")
    assert _depth(account, url) == 0
    account.root("iam").put_role_policy(RoleName=role_name, PolicyName="dest",
                                        PolicyDocument=json.dumps(doc(allow("sqs:SendMessage", queue))))
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 2}')
    (body,) = _bodies(account, url, 1)
    assert json.loads(body)["requestPayload"] == {"n": 2}


def test_logs_subscription_to_lambda_needs_the_function_policy_for_the_group(account, enforcing):
    name, _ = _function(account, "def handler(event, context):\n    print('got', len(event['awslogs']['data']))\n")
    lam, logs = account.root("lambda"), account.root("logs")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    for group in ("app", "other"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
    # the function's policy lets CloudWatch Logs invoke it for log group `other` only
    lam.add_permission(FunctionName=name, StatementId="logs", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com",
                       SourceArn=f"arn:aws:logs:us-east-1:{account.id}:log-group:other:*")
    for group in ("app", "other"):
        logs.put_subscription_filter(logGroupName=group, filterName="all", filterPattern="", destinationArn=function)
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"hello {group}"}])
    denial = _denied(enforcing, "logs.amazonaws.com", function)
    assert denial["grant"]["statement"]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{account.id}:log-group:app:*"}}

    def invoked() -> bool:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:  # no invocation yet
            return False
        return any("got" in e["message"] for e in events)

    wait_until(invoked, 60, "the function invoked for `other`")


def test_stream_mappings_need_the_role_to_read_the_stream(account):
    from tests.integration.iam.conftest import refused

    kinesis = account.root("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = kinesis.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]["StreamARN"]
    name, role = _function(account, "def handler(event, context):\n    return None\n")
    lam = account.root("lambda")
    code, message, _ = refused(lam.create_event_source_mapping, EventSourceArn=stream, FunctionName=name,
                               StartingPosition="TRIM_HORIZON")
    assert code == "InvalidParameterValueException"
    assert message == (f"Cannot access stream {stream}. Please ensure the role can perform the GetRecords, "
                       "GetShardIterator, DescribeStream, and ListShards Actions on your stream in IAM.")
    account.root("iam").attach_role_policy(RoleName=role.rsplit("/", 1)[1],
                                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole")
    assert lam.create_event_source_mapping(EventSourceArn=stream, FunctionName=name,
                                           StartingPosition="TRIM_HORIZON")["UUID"]


def test_http_api_invokes_a_function_only_as_its_policy_allows(account, enforcing):
    import urllib.error
    import urllib.request

    name, _ = _function(account, "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    api = account.root("apigatewayv2").create_api(Name="quick", ProtocolType="HTTP", Target=function)

    def get() -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"{api['ApiEndpoint']}/hello", timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    status, body = get()
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
    denial = _denied(enforcing, "apigateway.amazonaws.com", function)
    assert denial["grant"]["statement"]["Condition"]["ArnEquals"]["aws:SourceArn"].startswith(
        f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/$default/GET")
    account.root("lambda").add_permission(
        FunctionName=name, StatementId="api", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/*/*")
    assert get() == (200, b"hi")


def test_function_urls_with_iam_auth_need_invoke_function_url(account):
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    name, _ = _function(account, "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n")
    url = account.root("lambda").create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    key = account.user("ursula")

    def get() -> tuple[int, bytes]:
        request = AWSRequest(method="GET", url=url)
        SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "lambda", "us-east-1").add_auth(request)
        prepared = urllib.request.Request(url, headers=dict(request.headers.items()))
        try:
            with urllib.request.urlopen(prepared, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    status, body = get()
    assert status == 403 and json.loads(body)["Message"].startswith("Forbidden. For troubleshooting Function URL")
    function = f"arn:aws:lambda:us-east-1:{account.id}:function:{name}"
    account.root("iam").put_user_policy(UserName="ursula", PolicyName="url", PolicyDocument=json.dumps(doc(
        allow("lambda:InvokeFunctionUrl", function,
              Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}))))
    assert get() == (200, b"ok")
