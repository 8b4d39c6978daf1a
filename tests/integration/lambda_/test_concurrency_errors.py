"""Concurrency errors as AWS records them (issue 14, item 6)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function

SOURCE = "def handler(event, context):\n    return 'ok'\n"
PREFIX = "arn:aws:lambda:us-east-1:000000000000"


def test_reserved_concurrency_throttle_body(lam):
    name = create_function(lam, SOURCE)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, Payload=b"{}")
    response = info.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert response["Type"] == "User"
    assert response["message"] == "Rate Exceeded."
    assert "retryAfterSeconds" not in response


@pytest.mark.parametrize("qualifier", ["1", "live"])
def test_put_function_concurrency_refuses_versions_and_aliases(lam, qualifier):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as info:
        lam.put_function_concurrency(FunctionName=f"{PREFIX}:function:{name}:{qualifier}",
                                     ReservedConcurrentExecutions=1)
    response = info.value.response
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    assert response["Error"]["Message"] == (
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. "
        "Please specify either a function name or an unqualified function ARN.")


def test_unreserved_minimum_is_a_limit_error_without_type(lam, overcast_server):
    name = create_function(lam, SOURCE)
    limit = lam.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
    with pytest.raises(ClientError) as info:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=limit)
    response = info.value.response
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    assert "below its minimum value of [100]." in response["Error"]["Message"]
    assert "Type" not in response
