"""Parameter Store versions, selectors, labels, history and the 100-version limit, through boto3."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def ssm(overcast_server):
    return overcast_server.client("ssm")


def test_versions_selectors_and_history(ssm):
    name = f"/v-{uuid.uuid4().hex[:8]}/conf"
    for value in ("one", "two", "three"):
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True, Description="d")
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Value"] == "one"
    assert ssm.get_parameter(Name=f"{name}:1")["Parameter"]["Selector"] == ":1"
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 3
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name=f"{name}:9")
    assert _error(info) == ("ParameterVersionNotFound",
                            f"Systems Manager could not find version 9 of {name}. Verify the version and try again.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name=f"{name}:1:2")
    assert _error(info) == ("ParameterNotFound", f"Parameter {name}:1:2 not found.")
    labelled = ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["stable", "9bad", "awsx"])
    assert (labelled["InvalidLabels"], labelled["ParameterVersion"]) == (["9bad", "awsx"], 2)
    got = ssm.get_parameter(Name=f"{name}:stable")["Parameter"]
    assert (got["Value"], got["Version"], got["Selector"]) == ("two", 2, ":stable")
    # a label moves when it is put on another version
    ssm.label_parameter_version(Name=name, Labels=["stable"])
    assert ssm.get_parameter(Name=f"{name}:stable")["Parameter"]["Version"] == 3
    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [(h["Version"], h["Value"], h["Labels"]) for h in history] == [
        (1, "one", []), (2, "two", []), (3, "three", ["stable"])]
    assert history[0]["Description"] == "d" and history[0]["LastModifiedUser"].startswith("arn:aws:")
    removed = ssm.unlabel_parameter_version(Name=name, ParameterVersion=3, Labels=["stable", "other"])
    assert (removed["RemovedLabels"], removed["InvalidLabels"]) == (["stable"], ["other"])
    found = ssm.get_parameters(Names=[f"{name}:2", f"{name}:7", f"{name}:stable", name])
    assert [p["Version"] for p in found["Parameters"]] == [2, 3]
    assert found["InvalidParameters"] == [f"{name}:7", f"{name}:stable"]


def test_history_pages(ssm):
    name = f"hist-{uuid.uuid4().hex[:8]}"
    for i in range(7):
        ssm.put_parameter(Name=name, Value=str(i), Type="String", Overwrite=True)
    pages = list(ssm.get_paginator("get_parameter_history").paginate(Name=name, PaginationConfig={"PageSize": 3}))
    assert [len(p["Parameters"]) for p in pages] == [3, 3, 1]
    assert [h["Value"] for p in pages for h in p["Parameters"]] == [str(i) for i in range(7)]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter_history(Name=f"{name}-none")
    assert _error(info) == ("ParameterNotFound", f"Parameter {name}-none not found.")


def test_ten_labels_per_version(ssm):
    name = f"lab-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value="v", Type="String")
    ssm.label_parameter_version(Name=name, Labels=[f"l{i}" for i in range(10)])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.label_parameter_version(Name=name, Labels=["eleventh"])
    assert _error(info)[0] == "ParameterVersionLabelLimitExceeded"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.label_parameter_version(Name=name, ParameterVersion=5, Labels=["x"])
    assert _error(info)[0] == "ParameterVersionNotFound"


def test_hundred_versions_kept_and_a_labelled_oldest_blocks(ssm):
    name = f"max-{uuid.uuid4().hex[:8]}"
    for i in range(100):
        ssm.put_parameter(Name=name, Value=str(i), Type="String", Overwrite=True)
    ssm.put_parameter(Name=name, Value="100", Type="String", Overwrite=True)
    history = [h["Version"] for p in ssm.get_paginator("get_parameter_history").paginate(Name=name)
               for h in p["Parameters"]]
    assert (len(history), history[0], history[-1]) == (100, 2, 101)
    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["keep"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=name, Value="x", Type="String", Overwrite=True)
    assert _error(info) == (
        "ParameterMaxVersionLimitExceeded",
        f"You attempted to create a new version of {name} by calling the PutParameter API with the overwrite flag. "
        "Version 2, the oldest version, can't be deleted because it has a label associated with it. Move the label "
        "to another version of the parameter, and try again.")
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 101
