"""Provisioned concurrency as AWS documents it
(https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html,
https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): an alias moved to another
version takes its provisioned environments along (IN_PROGRESS, then READY; the old version's
retired), and provisioned concurrency comes out of the account's unreserved concurrency or the
function's reserved concurrency."""

from __future__ import annotations

import base64
import json

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_settled, wait_until

PROBE = """
import os
INIT_TYPE = os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]
def handler(e, c):
    return {"init": INIT_TYPE, "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}
"""


def _error(info) -> tuple[str, str]:
    assert "Type" not in info.value.response   # a limit error, without the Type other errors carry
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _publish(lam, name: str, marker: str) -> str:
    lam.update_function_configuration(FunctionName=name, Description=marker)
    wait_settled(lam, name)
    version = lam.publish_version(FunctionName=name)["Version"]
    wait_until(lambda: lam.get_function(FunctionName=name, Qualifier=version)["Configuration"]["State"] == "Active",
               30, "the version to be active")
    return version


def _status(lam, name: str) -> str:
    return lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"]


def _invoke(lam, name: str, qualifier: str) -> tuple[dict, str]:
    response = lam.invoke(FunctionName=name, Qualifier=qualifier, LogType="Tail")
    return json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()


def test_provisioned_environments_follow_the_alias_to_its_new_version(lam):
    name = create_function(lam, PROBE, Timeout=30)
    wait_settled(lam, name)
    one = _publish(lam, name, "one")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=one)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    wait_until(lambda: _status(lam, name) == "READY", 60, "provisioned concurrency READY")
    two = _publish(lam, name, "two")

    lam.update_alias(FunctionName=name, Name="live", FunctionVersion=two)
    # IN_PROGRESS while the new version's environment starts; a fast machine may already be READY again
    assert _status(lam, name) in ("IN_PROGRESS", "READY")
    wait_until(lambda: _status(lam, name) == "READY", 60, "provisioned concurrency READY on the new version")
    ready = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert ready["AllocatedProvisionedConcurrentExecutions"] == ready["AvailableProvisionedConcurrentExecutions"] == 1

    answer, tail = _invoke(lam, name, "live")
    assert answer == {"init": "provisioned-concurrency", "version": two}
    assert "Init Duration" not in tail
    # the first version's provisioned environment was retired: invoking it starts one on demand
    answer, tail = _invoke(lam, name, one)
    assert answer == {"init": "on-demand", "version": one}
    assert "Init Duration" in tail


def test_deleting_the_alias_deletes_its_config(lam):
    name = create_function(lam, PROBE, Timeout=30)
    wait_settled(lam, name)
    one = _publish(lam, name, "one")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=one)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1)
    lam.delete_alias(FunctionName=name, Name="live")
    assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def _unreserved(lam) -> int:
    return lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]


def test_provisioned_concurrency_comes_out_of_the_unreserved_pool(lam):
    name = create_function(lam, PROBE, Timeout=30)
    wait_settled(lam, name)
    one = _publish(lam, name, "one")
    before = _unreserved(lam)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=one, ProvisionedConcurrentExecutions=2)
    assert _unreserved(lam) == before - 2
    # with reserved concurrency, provisioned concurrency comes out of it instead
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert _unreserved(lam) == before - 5
    lam.delete_function_concurrency(FunctionName=name)
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=one)
    assert _unreserved(lam) == before


def test_provisioned_concurrency_limits(lam):
    name = create_function(lam, PROBE, Timeout=30)
    wait_settled(lam, name)
    one = _publish(lam, name, "one")
    available = _unreserved(lam) - 100   # AWS keeps 100 unreserved
    with pytest.raises(ClientError) as info:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=one,
                                               ProvisionedConcurrentExecutions=available + 1)
    assert _error(info) == ("InvalidParameterValueException", "Specified ConcurrentExecutions for function is "
                            f"greater than account's unreserved concurrency [{available}].")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    with pytest.raises(ClientError) as info:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=one, ProvisionedConcurrentExecutions=4)
    assert _error(info) == ("InvalidParameterValueException", "Requested Provisioned Concurrency should not be "
                            "greater than the reservedConcurrentExecution for function")
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=one, ProvisionedConcurrentExecutions=3)
