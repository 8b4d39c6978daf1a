"""Secrets Manager resource policies under `--iam enforce`: within the account a policy naming the
caller is enough, across accounts both the secret's policy and the caller's identity policy must
allow, and an explicit Deny in the secret's policy wins
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html)."""

from __future__ import annotations

import json

from tests.integration.iam.conftest import Account, allow, doc, refused


def _secret(account: Account, name: str) -> str:
    arn: str = account.root("secretsmanager").create_secret(Name=name, SecretString="v")["ARN"]
    return arn


def _policy(account: Account, secret: str, *statements: dict) -> None:
    account.root("secretsmanager").put_resource_policy(SecretId=secret, ResourcePolicy=json.dumps(doc(*statements)))


def test_same_account_resource_policy_alone_allows(account):
    arn = _secret(account, "db")
    sm = account.as_keys("secretsmanager", account.user("gina"))
    code, message, status = refused(sm.get_secret_value, SecretId="db")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (f"User: arn:aws:iam::{account.id}:user/gina is not authorized to perform: "
                       f"secretsmanager:GetSecretValue on resource: {arn} "
                       "because no identity-based policy allows the secretsmanager:GetSecretValue action")
    _policy(account, "db", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:user/gina"},
                            "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "v"
    # a policy naming only the account delegates to identity policies, which allow nothing here
    _policy(account, "db", {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"},
                            "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    refused(sm.get_secret_value, SecretId="db")


def test_explicit_deny_in_the_secret_policy_wins(account):
    arn = _secret(account, "locked")
    sm = account.as_keys("secretsmanager", account.user("hal", policy=doc(allow("secretsmanager:*"))))
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == "v"
    _policy(account, arn, {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{account.id}:user/hal"},
                           "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    _, message, _ = refused(sm.get_secret_value, SecretId="locked")
    assert message.endswith(f"on resource: {arn} with an explicit deny in a resource-based policy")
    assert sm.describe_secret(SecretId="locked")["ARN"] == arn


def test_cross_account_needs_both_policies(account, enforcing):
    other = Account(enforcing)
    arn = _secret(account, "shared")
    theirs = other.as_keys("secretsmanager", other.user("erin", policy=doc(allow("secretsmanager:DescribeSecret"))))
    _, message, _ = refused(theirs.describe_secret, SecretId=arn)
    assert message.endswith("because no resource-based policy allows the secretsmanager:DescribeSecret action")
    _policy(account, arn, {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other.id}:root"},
                           "Action": "secretsmanager:DescribeSecret", "Resource": "*"})
    assert theirs.describe_secret(SecretId=arn)["ARN"] == arn
    bare = other.as_keys("secretsmanager", other.user("frank"))
    _, message, _ = refused(bare.describe_secret, SecretId=arn)
    assert message.endswith("because no identity-based policy allows the secretsmanager:DescribeSecret action")
