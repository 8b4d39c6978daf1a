"""`GET /_overcast/resources` and `overcast status`: what a real server has deployed and running."""

import json
import subprocess
import sys
import threading

import httpx

from overcast.testing import OvercastServer, create_function, wait_until

SLOW = """
import os, time
def handler(event, context):
    if event.get("wait"):
        while not os.path.exists(event["wait"]):
            time.sleep(0.02)
    return {"ok": True}
"""

TEMPLATE = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
    },
    "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}},
}


def status(server, *args):
    return subprocess.run([sys.executable, "-m", "overcast", "status", "--endpoint-url", server.url, *args],
                          capture_output=True, text=True, timeout=120)


def test_resources_view_and_table(tmp_path):
    # its own server: the view lists everything in it, so no other test's resources may appear; AWS's
    # own timers (time scale 1), so the in-flight and delayed messages stay so however slow the machine
    with OvercastServer(in_memory=True, time_scale=1) as server:
        lam, sqs, ddb = server.client("lambda"), server.client("sqs"), server.client("dynamodb")
        name = create_function(lam, SLOW, Timeout=120)
        gate = tmp_path / "go"
        answers = []
        busy = threading.Thread(target=lambda: answers.append(
            lam.invoke(FunctionName=name, Payload=json.dumps({"wait": str(gate)}))["StatusCode"]))
        busy.daemon = True
        busy.start()
        lam.invoke(FunctionName=name, Payload=b"{}")  # a second environment, idle once it answers
        queue = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
        for body in ("a", "b", "c"):
            sqs.send_message(QueueUrl=queue, MessageBody=body)
        sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, VisibilityTimeout=600)
        sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=900)
        ddb.create_table(TableName="carts", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        for key in ("1", "2"):
            ddb.put_item(TableName="carts", Item={"id": {"S": key}})
        http_api = server.client("apigatewayv2").create_api(Name="shop", ProtocolType="HTTP",
                                                            Target=lam.get_function(FunctionName=name)
                                                            ["Configuration"]["FunctionArn"])
        apigw = server.client("apigateway")
        rest = apigw.create_rest_api(name="catalog")
        apigw.put_method(restApiId=rest["id"], resourceId=rest["rootResourceId"], httpMethod="GET",
                         authorizationType="NONE")
        apigw.put_integration(restApiId=rest["id"], resourceId=rest["rootResourceId"], httpMethod="GET", type="MOCK")
        apigw.create_deployment(restApiId=rest["id"], stageName="prod")
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, Enabled=False)
        cfn = server.client("cloudformation")
        cfn.create_stack(StackName="shop-stack", TemplateBody=json.dumps(TEMPLATE))
        wait_until(lambda: cfn.describe_stacks(StackName="shop-stack")["Stacks"][0]["StackStatus"]
                   == "CREATE_COMPLETE", 60, "the stack created")
        east = server.client("sqs", region_name="eu-west-1")
        east.create_queue(QueueName="elsewhere")

        def busy_and_warm():
            view = httpx.get(f"{server.url}/_overcast/resources", timeout=60).json()
            function = next(f for f in view["functions"] if f["name"] == name)
            return view if function["environments"] == {"warm": 1, "busy": 1} else None

        view = wait_until(busy_and_warm, 60, "one busy and one warm environment")
        gate.write_text("go")
        busy.join(120)
        assert answers == [200]

        assert [(s["name"], s["status"], sorted(s["outputs"])) for s in view["stacks"]] == [
            ("shop-stack", "CREATE_COMPLETE", ["QueueUrl"])]
        queues = {(q["region"], q["name"]): q for q in view["queues"]}
        orders = queues[("us-east-1", "orders")]
        assert (orders["visible"], orders["in_flight"], orders["delayed"]) == (2, 1, 1)
        assert orders["url"] == queue
        assert ("eu-west-1", "elsewhere") in queues
        stack_queue = [q for q in view["queues"] if q["name"].startswith("shop-stack-Queue")]
        assert len(stack_queue) == 1
        assert [(t["name"], t["items"], t["status"]) for t in view["tables"]] == [("carts", 2, "ACTIVE")]
        url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
        view = httpx.get(f"{server.url}/_overcast/resources", timeout=60).json()
        apis = {a["name"]: a for a in view["apis"]}
        assert apis[name]["type"] == "URL" and apis[name]["urls"] == [url]
        assert apis["shop"]["type"] == "HTTP" and apis["shop"]["urls"] == [http_api["ApiEndpoint"]]
        assert apis["catalog"]["type"] == "REST"
        assert apis["catalog"]["urls"] == [f"{server.url}/restapis/{rest['id']}/prod/_user_request_/"]
        assert [(m["uuid"], m["function"], m["source"]) for m in view["mappings"]] == [
            (mapping["UUID"], name, queue_arn)]
        assert view["mappings"][0]["state"] in ("Disabled", "Disabling")
        assert all(item["account"] == "000000000000" for item in view["functions"])

        out = status(server)
        assert out.returncode == 0, out.stderr
        text = out.stdout
        assert f"overcast at {server.url}" in text
        assert "STACKS (1)" in text and "shop-stack" in text and "CREATE_COMPLETE" in text
        function_line = next(line for line in text.splitlines() if line.strip().startswith(name))
        assert function_line.split()[1:4] == ["python3.12", "128", "Active"]
        orders_line = next(line for line in text.splitlines() if line.strip().startswith("orders "))
        assert orders_line.split()[1:4] == ["2", "1", "1"]
        assert "TABLES (1)" in text and http_api["ApiEndpoint"] in text
        raw = status(server, "--json")
        assert json.loads(raw.stdout)["tables"][0]["name"] == "carts"


def test_empty_and_unreachable():
    with OvercastServer(in_memory=True) as server:
        view = httpx.get(f"{server.url}/_overcast/resources", timeout=60).json()
        assert view == {key: [] for key in ("stacks", "functions", "queues", "tables", "apis", "mappings",
                                            "state_machines", "pipes", "schedules")}
        out = status(server)
        assert "FUNCTIONS: none" in out.stdout and "QUEUES: none" in out.stdout
        assert "STATE MACHINES: none" in out.stdout and "PIPES: none" in out.stdout
    out = subprocess.run([sys.executable, "-m", "overcast", "status", "--endpoint-url", "http://127.0.0.1:1"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.strip() == (
        "overcast: cannot reach http://127.0.0.1:1 (is `overcast up` running?)")


def test_state_machines_pipes_and_schedules():
    with OvercastServer(in_memory=True, time_scale=0.01) as server:
        sfn, sqs = server.client("stepfunctions"), server.client("sqs")
        role = "arn:aws:iam::000000000000:role/r"
        waits = sfn.create_state_machine(name="orders", roleArn=role, definition=json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100000, "End": True}}}))["stateMachineArn"]
        sfn.create_state_machine(name="quick", roleArn=role, type="EXPRESS", definition=json.dumps(
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
        sfn.start_execution(stateMachineArn=waits)
        queue = sqs.create_queue(QueueName="in")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        server.client("pipes").create_pipe(Name="feed", RoleArn=role, Source=queue_arn, Target=waits,
                                           DesiredState="STOPPED")
        server.client("scheduler").create_schedule(
            Name="nightly", ScheduleExpression="cron(0 3 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": waits, "RoleArn": role})
        view = httpx.get(f"{server.url}/_overcast/resources", timeout=60).json()
        machines = {m["name"]: m for m in view["state_machines"]}
        assert (machines["orders"]["type"], machines["orders"]["running"]) == ("STANDARD", 1)
        assert (machines["quick"]["type"], machines["quick"]["running"]) == ("EXPRESS", "-")
        (pipe,) = view["pipes"]
        assert (pipe["name"], pipe["source"], pipe["target"]) == ("feed", queue_arn, waits)
        (schedule,) = view["schedules"]
        assert (schedule["name"], schedule["group"], schedule["state"], schedule["target"]) == (
            "nightly", "default", "ENABLED", waits)
        text = status(server).stdout
        assert "STATE MACHINES (2)" in text and "PIPES (1)" in text and "SCHEDULES (1)" in text
        orders_line = next(line for line in text.splitlines() if line.strip().startswith("orders "))
        assert orders_line.split()[1:3] == ["STANDARD", "1"]
        assert "stateMachine:orders" in next(line for line in text.splitlines() if line.strip().startswith("feed "))
