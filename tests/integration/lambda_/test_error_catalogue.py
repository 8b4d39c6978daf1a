"""Lambda's errors as AWS records them (issue 14, item 3): codes, statuses and messages word for
word, parameters checked before resources are looked up."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, zip_files, zip_handler

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "def handler(event, context):\n    return 'ok'\n"
PREFIX = "arn:aws:lambda:us-east-1:000000000000"


def _name() -> str:
    return f"ec-{uuid.uuid4().hex[:10]}"


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _create(lam, name: str, **extra):
    return lam.create_function(FunctionName=name, Role=ROLE, Handler="handler.handler",
                               Code={"ZipFile": zip_handler(SOURCE)}, **{"Runtime": "python3.12", **extra})


def test_deprecated_runtime_message(lam):
    with pytest.raises(ClientError) as info:
        _create(lam, _name(), Runtime="python3.7")
    assert _error(info) == ("InvalidParameterValueException", 400,
                            "The runtime parameter of python3.7 is no longer supported for creating or updating AWS "
                            "Lambda functions. We recommend you use a supported runtime while creating or updating "
                            "functions.")


def test_invalid_runtime_message(lam):
    with pytest.raises(ClientError) as info:
        _create(lam, _name(), Runtime="python9.99")
    code, status, message = _error(info)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Value python9.99 at 'runtime' failed to satisfy constraint: Member must satisfy "
                              "enum value set: [")
    assert message.endswith("] or be a valid ARN")
    assert "validation error detected" not in message


def test_architectures_message(lam):
    with pytest.raises(ClientError) as info:
        _create(lam, _name(), Architectures=["X86_64"])
    assert "Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: " \
           "[Member must satisfy enum value set: [x86_64, arm64]]" in _error(info)[2]


def test_function_name_over_64_characters_is_refused(lam):
    with pytest.raises(ClientError) as info:
        _create(lam, "f" * 65)
    code, status, message = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have length less than or equal to 64" in message


def test_not_found_messages(lam):
    with pytest.raises(ClientError) as info:
        lam.get_function(FunctionName="ec-missing")
    assert _error(info) == ("ResourceNotFoundException", 404, f"Function not found: {PREFIX}:function:ec-missing:$LATEST")
    with pytest.raises(ClientError) as info:
        lam.get_function(FunctionName="arn:aws:lambda:eu-west-1:000000000000:function:elsewhere")
    assert _error(info) == ("ResourceNotFoundException", 404,
                            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')")


def test_event_invoke_config_messages(lam):
    name = create_function(lam, SOURCE)
    with pytest.raises(ClientError) as info:
        lam.get_function_event_invoke_config(FunctionName=name)
    assert _error(info) == ("ResourceNotFoundException", 404,
                            f"The function {PREFIX}:function:{name}:$LATEST doesn't have an EventInvokeConfig")
    # the settings are checked before the function's existence
    with pytest.raises(ClientError) as info:
        lam.put_function_event_invoke_config(FunctionName="ec-missing")
    assert _error(info) == ("InvalidParameterValueException", 400,
                            "You must specify at least one of error handling or destination setting.")


def test_alias_messages(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as info:
        lam.update_alias(FunctionName=name, Name="nope", FunctionVersion="1")
    assert _error(info) == ("ResourceNotFoundException", 404, f"Alias not found: {PREFIX}:function:{name}:nope")
    with pytest.raises(ClientError) as info:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
    assert _error(info) == ("InvalidParameterValueException", 400, "Invalid function version 1. Function version 1 "
                            "is already included in routing configuration.")


def test_tag_messages(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    with pytest.raises(ClientError) as info:
        lam.tag_resource(Resource=f"{PREFIX}:function:{name}:1", Tags={"a": "b"})
    assert _error(info) == ("InvalidParameterValueException", 400, "Tags on function aliases and versions are not "
                            "supported. Please specify a function ARN.")
    with pytest.raises(ClientError) as info:
        lam.tag_resource(Resource=f"{PREFIX}:function:{name}", Tags={f"k{i}": "v" for i in range(51)})
    assert _error(info) == ("InvalidParameterValueException", 400, "Number of tags exceeds resource tag limit.")


def test_qualifier_mismatch_message(lam):
    with pytest.raises(ClientError) as info:
        lam.get_function(FunctionName="ec-any:1", Qualifier="2")
    assert _error(info) == ("InvalidParameterValueException", 400, "The derived qualifier from the function name "
                            "does not match the specified qualifier.")


def test_policies_are_per_qualifier(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    lam.add_permission(FunctionName=name, StatementId="all", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com")
    with pytest.raises(ClientError) as info:
        lam.get_policy(FunctionName=name, Qualifier="1")
    assert _error(info) == ("ResourceNotFoundException", 404, "The resource you requested does not exist.")
    lam.add_permission(FunctionName=name, Qualifier="1", StatementId="v1", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    assert '"v1"' in lam.get_policy(FunctionName=name, Qualifier="1")["Policy"]
    assert '"v1"' not in lam.get_policy(FunctionName=name)["Policy"]


def test_layer_messages(lam):
    with pytest.raises(ClientError) as info:
        lam.get_layer_version(LayerName="ec-layer", VersionNumber=0)
    assert _error(info) == ("InvalidParameterValueException", 400, "Layer Version Cannot be less than 1")
    layer = f"ec-{uuid.uuid4().hex[:8]}"
    arns = [lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_files({"python/x.py": f"X = {i}\n"})})
            ["LayerVersionArn"] for i in range(2)]
    with pytest.raises(ClientError) as info:
        _create(lam, _name(), Layers=arns)
    assert _error(info) == ("InvalidParameterValueException", 400,
                            "Two different versions of the same layer are not allowed to be referenced in the same "
                            f"function. {arns[0]} and {arns[1]} are versions of the same layer.")


def test_enum_lists_in_aws_order_and_null_with_its_period(lam):
    name = create_function(lam, SOURCE)
    with pytest.raises(ClientError) as info:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode="STREAMING")
    assert "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]" in _error(info)[2]
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName=name, StartingPosition="EARLIEST",
                                        EventSourceArn="arn:aws:kinesis:us-east-1:000000000000:stream/s")
    assert "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]" in _error(info)[2]


def test_member_must_not_be_null_has_its_period(overcast_server):
    unchecked = overcast_server.client("lambda", validate=False)
    with pytest.raises(ClientError) as info:
        unchecked.create_function(FunctionName=_name(), Runtime="python3.12", Handler="handler.handler",
                                  Code={"ZipFile": zip_handler(SOURCE)})
    assert "Value null at 'role' failed to satisfy constraint: Member must not be null." in _error(info)[2]


def test_delete_function_with_an_unknown_version_succeeds(lam):
    name = create_function(lam, SOURCE)
    assert lam.delete_function(FunctionName=name, Qualifier="7")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


def test_event_source_mapping_messages(lam):
    name = create_function(lam, SOURCE)
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName="ec-missing",
                                        EventSourceArn="arn:aws:sqs:us-east-1:000000000000:ec-queue")
    assert _error(info) == ("InvalidParameterValueException", 400, "Function does not exist")
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName=name)
    assert _error(info) == ("InvalidParameterValueException", 400, "Unrecognized event source.")


def test_event_source_mapping_not_found_names_its_arn(lam):
    arn = f"{PREFIX}:event-source-mapping:{uuid.uuid4()}"
    with pytest.raises(ClientError) as info:
        lam.list_tags(Resource=arn)
    assert _error(info) == ("ResourceNotFoundException", 404, f"Event source mapping not found: {arn}")


def test_stream_mapping_without_a_starting_position_ends_with_a_period(overcast_server):
    lam = overcast_server.client("lambda")
    kinesis = overcast_server.client("kinesis")
    stream = _name()
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    name = create_function(lam, SOURCE)
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn)
    assert _error(info) == ("InvalidParameterValueException", 400,
                            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                            "constraint: Member must not be null.")


@pytest.mark.parametrize("operation", ["get_event_source_mapping", "update_event_source_mapping",
                                       "delete_event_source_mapping"])
def test_an_unknown_mapping_uuid_is_the_nested_not_found(lam, operation):
    # AWS words an unknown UUID as the nested service error naming the request (the mapping ARN
    # form "Event source mapping not found: <arn>" is the tagging APIs' answer, tested above)
    with pytest.raises(ClientError) as info:
        getattr(lam, operation)(UUID=str(uuid.uuid4()))
    request_id = info.value.response["ResponseMetadata"]["RequestId"]
    assert _error(info) == ("ResourceNotFoundException", 404,
                            "The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
                            f"Request ID: {request_id})")
