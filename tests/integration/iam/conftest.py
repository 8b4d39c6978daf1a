"""IAM enforcement tests run on a server of their own started with `OVERCAST_IAM=enforce` (the
session's server leaves IAM off). Each test works in an account of its own, so the shared server's
users, roles and policies never meet."""

from __future__ import annotations

import json
import random
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer


@pytest.fixture(scope="package")
def enforcing() -> Iterator[OvercastServer]:
    with OvercastServer(env={"OVERCAST_IAM": "enforce"}) as server:
        yield server


class Account:
    """One account on the enforcing server: root clients (key = the account id) and clients signed
    with a user's or a role session's keys."""

    def __init__(self, server: OvercastServer) -> None:
        self.server = server
        self.id = str(random.randint(10**11, 10**12 - 1))

    def root(self, service: str, **kwargs: Any) -> Any:
        return self.server.client(service, aws_access_key_id=self.id, **kwargs)

    def as_keys(self, service: str, creds: dict[str, str], **kwargs: Any) -> Any:
        return self.server.client(service, aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"],
                                  aws_session_token=creds.get("SessionToken"), **kwargs)

    def user(self, name: str, *, boundary: str | None = None, policy: dict[str, Any] | None = None) -> dict[str, str]:
        """A new user (with an inline policy) and its access key."""
        iam = self.root("iam")
        iam.create_user(UserName=name, **({"PermissionsBoundary": boundary} if boundary else {}))
        if policy is not None:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
        key: dict[str, str] = iam.create_access_key(UserName=name)["AccessKey"]
        return key

    def arn(self, rest: str, service: str = "iam", region: str = "") -> str:
        return f"arn:aws:{service}:{region}:{self.id}:{rest}"

    def policy(self, name: str, document: dict[str, Any]) -> str:
        arn: str = self.root("iam").create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        return arn


@pytest.fixture
def account(enforcing: OvercastServer) -> Account:
    return Account(enforcing)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def refused(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"].get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


def report(server: OvercastServer) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server.url}/_overcast/iam/report", timeout=30) as response:
        denials: list[dict[str, Any]] = json.loads(response.read())["denials"]
        return denials
