"""What Lambda refuses in a resource-based policy: over 20 KB → PolicyLengthExceededException
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a public grant while the
account's BlockPublicAccess setting is on → PublicPolicyException."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, create_function

SOURCE = "def handler(event, context):\n    return 'ok'\n"
PREFIX = "arn:aws:lambda:us-east-1:000000000000"


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _grant(lam, name: str, sid: str, **extra):
    return lam.add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                              Principal="s3.amazonaws.com", **extra)


def test_add_permission_past_20_kb_is_refused(lam):
    name = create_function(lam, SOURCE)
    long_arn = "arn:aws:s3:::" + "b" * 200
    added = 0
    with pytest.raises(ClientError) as info:
        while added < 200:
            _grant(lam, name, f"s{added}", SourceArn=long_arn)
            added += 1
    code, status, message = _error(info)
    assert (code, status) == ("PolicyLengthExceededException", 400)
    match = re.fullmatch(r"The final policy size \((\d+)\) is bigger than the limit \(20480\)\.", message)
    assert match is not None and int(match.group(1)) > 20480
    kept = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert len(kept["Statement"]) == added   # the refused statement was not kept
    assert len(json.dumps(kept, separators=(",", ":"))) <= 20480


def test_put_resource_policy_past_20_kb_is_refused(overcast_server):
    # the model caps the Policy member at 20480 characters: a longer one fails its validation first
    lam = overcast_server.client("lambda", validate=False)
    name = create_function(lam, SOURCE)
    arn = f"{PREFIX}:function:{name}"
    statements = [{"Sid": f"s{i}", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                   "Action": "lambda:InvokeFunction", "Resource": arn,
                   "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::" + "b" * 200}}} for i in range(100)]
    with pytest.raises(ClientError) as info:
        lam.put_resource_policy(ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    code, status, message = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert "at 'policy' failed to satisfy constraint: Member must have length less than or equal to 20480" in message
    with pytest.raises(ClientError) as info:
        lam.get_resource_policy(ResourceArn=arn)
    assert _error(info)[0] == "ResourceNotFoundException"


def test_public_grants_are_accepted_while_public_access_is_not_blocked(lam):
    name = create_function(lam, SOURCE)
    statement = json.loads(lam.add_permission(FunctionName=name, StatementId="anyone",
                                              Action="lambda:InvokeFunction", Principal="*")["Statement"])
    assert statement["Principal"] == "*"


@pytest.fixture(scope="module")
def blocked() -> Iterator[OvercastServer]:
    with OvercastServer(env={"OVERCAST_LAMBDA_BLOCK_PUBLIC_ACCESS": "1"}) as server:
        yield server


def test_a_public_grant_is_refused_when_public_access_is_blocked(blocked):
    lam = blocked.client("lambda")
    name = create_function(lam, SOURCE)
    with pytest.raises(ClientError) as info:
        lam.add_permission(FunctionName=name, StatementId="anyone", Action="lambda:InvokeFunction", Principal="*")
    assert _error(info)[:2] == ("PublicPolicyException", 400)
    # pinned to one account, the same grant is not public
    lam.add_permission(FunctionName=name, StatementId="one-account", Action="lambda:InvokeFunction",
                       Principal="*", SourceAccount="111122223333")
    arn = f"{PREFIX}:function:{name}"
    public = {"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow", "Principal": {"AWS": "*"},
                                                      "Action": "lambda:InvokeFunction", "Resource": arn}]}
    with pytest.raises(ClientError) as info:
        lam.put_resource_policy(ResourceArn=arn, Policy=json.dumps(public))
    assert _error(info)[:2] == ("PublicPolicyException", 400)
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]] == ["one-account"]
