"""The console's read-only JSON API (`/_overcast/console/api/`), called without a browser: every view
must say what the AWS operations say, refuse writes and bad input with AWS's errors, and page a
large table."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function


@pytest.fixture
def console(overcast_server):
    with httpx.Client(base_url=f"{overcast_server.url}/_overcast/console/", timeout=60) as client:
        yield client


#: SQS's JSON error codes and the query protocol's, which boto3 reports (x-amzn-query-error).
LEGACY_CODES = {"QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue"}


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_the_page_and_its_modules_are_served(console):
    page = console.get("")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<main id="main"' in page.text and 'type="module" src="app.js"' in page.text
    script = console.get("pages/queues.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert console.get("..%2F__init__.py").status_code == 404  # nothing outside the package's static folder
    assert console.get("nope.js").status_code == 404
    bare = httpx.get(str(console.base_url).rstrip("/"), follow_redirects=False)
    assert bare.status_code == 308 and bare.headers["location"] == "/_overcast/console/"


def test_overview_counts_what_the_list_operations_list(console, aws):
    queue = _name("ov")
    aws("sqs").create_queue(QueueName=queue)
    overview = console.get("api/overview").json()
    counts = {item["label"]: item["count"] for item in overview["counts"]}
    assert counts["Queues"] == len(aws("sqs").list_queues()["QueueUrls"]) >= 1
    assert counts["Tables"] == len(aws("dynamodb").list_tables()["TableNames"])
    assert overview["account"] == "000000000000" and overview["region"] == "us-east-1"


def test_functions_show_environments_and_invocations_with_their_logs(console, aws):
    lam = aws("lambda")
    name = create_function(lam, """
        def handler(event, context):
            print("handling", event.get("n"))
            if event.get("fail"):
                raise ValueError("bad order")
            return {"ok": event.get("n")}
    """, Timeout=60)
    assert lam.invoke(FunctionName=name, Payload=json.dumps({"n": 1}))["StatusCode"] == 200
    failed = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 2, "fail": True}))
    assert failed["FunctionError"] == "Unhandled"

    functions = {f["FunctionName"]: f for f in console.get("api/functions").json()["Functions"]}
    assert functions[name]["Runtime"] == "python3.12"
    assert functions[name]["Environments"]["warm"] + functions[name]["Environments"]["busy"] >= 1

    def both_logged():
        found = console.get(f"api/functions/{name}/invocations").json()["Invocations"]
        return found if len(found) == 2 and all("durationMs" in i for i in found) else None

    newest, oldest = wait_until(both_logged, 60, "both invocations in the function's log group")
    assert (newest["result"], oldest["result"]) == ("error", "success")
    assert any("bad order" in line for line in newest["logs"])
    assert any("handling 1" in line for line in oldest["logs"])
    assert oldest["logs"][0].startswith("START RequestId: ") and oldest["logs"][-1].startswith("REPORT RequestId: ")

    errors = wait_until(lambda: [e for e in console.get("api/overview").json()["errors"] if e["function"] == name],
                        30, "the failure among the overview's recent errors")
    assert errors[0]["requestId"] == newest["requestId"]


def test_function_urls_view_reads_every_page_of_functions(console, aws):
    # more functions than ListFunctions' first page (50): the view must page to find the last one's URL
    lam = aws("lambda")
    names = [create_function(lam, "def handler(event, context):\n    return 1\n", Timeout=30) for _ in range(51)]
    urls = {name: lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
            for name in names[-2:]}
    assert len(lam.list_functions()["Functions"]) == 50 and lam.list_functions().get("NextMarker")
    listed = {u["FunctionName"]: u["FunctionUrl"] for u in console.get("api/function-urls").json()["FunctionUrls"]}
    assert {name: listed.get(name) for name in urls} == urls


def test_queues_view_has_depths_and_redrive_policy(console, aws):
    sqs = aws("sqs")
    dlq = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(QueueName=_name("src"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="one")
    sqs.send_message(QueueUrl=source, MessageBody="two")
    queues = {q["QueueUrl"]: q for q in console.get("api/queues").json()["Queues"]}
    assert queues[source]["Attributes"]["ApproximateNumberOfMessages"] == "2"
    assert json.loads(queues[source]["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"] == dlq_arn
    sources = console.post("api/call/sqs/ListDeadLetterSourceQueues", json={"QueueUrl": dlq}).json()
    assert sources["queueUrls"] == [source]


def test_the_call_route_runs_reads_only(console):
    refused = console.post("api/call/lambda/Invoke", json={"FunctionName": "x"})
    assert refused.status_code == 403 and refused.json()["__type"] == "AccessDeniedException"
    refused = console.post("api/call/sqs/PurgeQueue", json={"QueueUrl": "x"})
    assert refused.status_code == 403
    refused = console.post("api/call/apigateway/TestInvokeMethod",  # it calls the integration's function
                           json={"restApiId": "a", "resourceId": "b", "httpMethod": "GET"})
    assert refused.status_code == 403
    unknown = console.post("api/call/nosuch/ListThings", json={})
    assert unknown.status_code == 404 and unknown.json()["__type"] == "UnknownService"
    missing = console.post("api/call/sqs/ListNothing", json={})
    assert missing.status_code == 400 and missing.json()["__type"] == "UnknownOperationException"
    not_json = console.post("api/call/sqs/ListQueues", content=b"{nope")
    assert not_json.status_code == 400 and not_json.json()["__type"] == "SerializationException"


def test_reads_answer_as_the_service_does(console, overcast_server):
    """Errors and validation come from the service and its model, as on the wire: the console's answer
    carries the code and message a boto3 client gets for the same input."""
    import botocore.exceptions

    cases: list[tuple[str, str, dict[str, Any]]] = [("dynamodb", "DescribeTable", {"TableName": "no-such-table"}),
             ("dynamodb", "Scan", {"TableName": "ab"}),
             ("sqs", "GetQueueAttributes", {"QueueUrl": "http://localhost/000000000000/nope", "AttributeNames": ["All"]}),
             ("logs", "FilterLogEvents", {"logGroupName": _name("/none")})]
    for service, operation, params in cases:
        client = overcast_server.client(service, validate=False)
        with pytest.raises(botocore.exceptions.ClientError) as wire:
            getattr(client, botocore.xform_name(operation))(**params)
        answer = console.post(f"api/call/{service}/{operation}", json=params)
        error = wire.value.response["Error"]
        assert answer.status_code == wire.value.response["ResponseMetadata"]["HTTPStatusCode"], operation
        code = answer.json()["__type"]
        assert error["Code"] in (code, LEGACY_CODES.get(code)), operation  # boto3 reads SQS's legacy query code
        assert answer.json()["message"] == error["Message"], operation
    gone = console.post("api/call/dynamodb/DescribeTable", json={"TableName": "no-such-table"}).json()
    assert gone["message"] == "Requested resource not found: Table: no-such-table not found"


def test_a_table_of_10000_items_is_read_a_page_at_a_time(console, aws):
    ddb = aws("dynamodb")
    table = _name("items")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}])
    for start in range(0, 10_000, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": f"p{i % 100}"}, "sk": {"N": str(i)}, "blob": {"B": b"\x00\x01"}}}}
            for i in range(start, start + 25)]})
    first = console.post("api/call/dynamodb/Scan", json={"TableName": table, "Limit": 50}).json()
    assert len(first["Items"]) == 50 and first["LastEvaluatedKey"]
    assert first["Items"][0]["blob"] == {"B": "AAE="}  # blobs in JSON form, as the wire has them
    second = console.post("api/call/dynamodb/Scan", json={
        "TableName": table, "Limit": 50, "ExclusiveStartKey": first["LastEvaluatedKey"]}).json()
    assert not {json.dumps(i, sort_keys=True) for i in first["Items"]} & {json.dumps(i, sort_keys=True) for i in second["Items"]}
    expected = ddb.scan(TableName=table, Limit=50, ExclusiveStartKey=first["LastEvaluatedKey"])["Items"]
    assert [i["sk"] for i in second["Items"]] == [{"N": i["sk"]["N"]} for i in expected]
    query = console.post("api/call/dynamodb/Query", json={
        "TableName": table, "KeyConditionExpression": "pk = :p AND sk < :s", "Limit": 50,
        "ExpressionAttributeValues": {":p": {"S": "p7"}, ":s": {"N": "1000"}}}).json()
    assert [i["sk"]["N"] for i in query["Items"]] == [str(n) for n in range(7, 1000, 100)]


def test_sample_events_are_the_cli_generator(console):
    sources = console.get("api/sample-events").json()["Sources"]
    assert "sqs" in sources and sources["sqs"]["kinds"]
    event = console.get("api/sample-events/sqs").json()["Event"]
    assert event["Records"][0]["eventSource"] == "aws:sqs"
    assert console.get("api/sample-events/nosuch").status_code == 404


def test_timestamps_are_epoch_seconds_as_the_json_protocols_send_them(console, aws):
    table = _name("ts")
    created = aws("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])["TableDescription"]
    described = console.post("api/call/dynamodb/DescribeTable", json={"TableName": table}).json()["Table"]
    assert described["CreationDateTime"] == pytest.approx(created["CreationDateTime"].timestamp(), abs=0.001)
    assert described["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]


def test_overcast_console_prints_the_url(overcast_server, capsys):
    from overcast.cli import main

    assert main(["console", "--endpoint-url", overcast_server.url]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == f"{overcast_server.url}/_overcast/console/"
    assert err == ""  # the server answers
    assert main(["console", "--endpoint-url", overcast_server.url, "--region", "eu-west-1"]) == 0
    assert capsys.readouterr().out.strip() == f"{overcast_server.url}/_overcast/console/?region=eu-west-1"
    page = httpx.get(f"{overcast_server.url}/_overcast/console/?region=eu-west-1")
    assert page.status_code == 200


def test_a_body_too_large_is_refused(console):
    answer = console.post("api/call/sqs/ListQueues", content=b"{" + b" " * (1024 * 1024 + 1) + b"}")
    assert answer.status_code == 413 and answer.json()["__type"] == "RequestEntityTooLarge"
    assert console.get("api/overview").status_code == 200  # and the console goes on
