"""CloudFormation deletes dependents before what they depend on when an update removes both: an
event source mapping goes before the queue it reads (a queue deleted under a live mapping is what AWS
never does), in the update's cleanup as in a stack's deletion."""

from tests.integration.cloudformation.helpers import create, events, unique, update, wait

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def template(with_queue: bool) -> dict:
    resources: dict = {
        "Function": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Timeout": 10,
            "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"}}},
    }
    if with_queue:
        # declared before the queue, so that neither the template's nor the rows' order puts it right
        resources = {
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "FunctionName": {"Ref": "Function"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                "BatchSize": 1}},
            "Subscription": {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": "Function"}, "Action": "lambda:InvokeFunction",
                "Principal": "sqs.amazonaws.com", "SourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            **resources,
        }
    return {"Resources": resources}


def _deleted_order(found):
    return [logical for logical, status, _ in found if status == "DELETE_IN_PROGRESS"]


def test_update_cleanup_deletes_the_mapping_before_the_queue(cf):
    name = unique("cleanup")
    assert create(cf, template(True), name)["StackStatus"] == "CREATE_COMPLETE"
    before = len(events(cf, name))
    assert update(cf, name, template(False))["StackStatus"] == "UPDATE_COMPLETE"
    order = _deleted_order(events(cf, name)[before:])
    assert set(order) == {"Mapping", "Subscription", "Queue"}
    assert order[-1] == "Queue", order
    statuses = [(logical, status) for logical, status, _ in events(cf, name)[before:]]
    assert statuses.index(("Mapping", "DELETE_COMPLETE")) < statuses.index(("Queue", "DELETE_IN_PROGRESS"))


def test_stack_deletion_deletes_the_mapping_before_the_queue(cf):
    name = unique("cleanup")
    stack = create(cf, template(True), name)
    cf.delete_stack(StackName=name)
    wait(cf, stack["StackId"])
    statuses = [(logical, status) for logical, status, _ in events(cf, stack["StackId"])]
    assert statuses.index(("Mapping", "DELETE_COMPLETE")) < statuses.index(("Queue", "DELETE_IN_PROGRESS"))
