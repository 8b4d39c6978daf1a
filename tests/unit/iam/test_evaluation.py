"""AWS's policy evaluation logic, rule by rule
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""

from __future__ import annotations

from typing import Any

from overcast.authz.evaluation import (
    ROLE_SESSION,
    ROOT,
    SERVICE,
    USER,
    Policy,
    Principal,
    denial_message,
    evaluate,
)

ACCOUNT, OTHER = "111111111111", "222222222222"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/fn"


def policy(*statements: dict, source: str = "") -> Policy:
    return Policy.parse({"Version": "2012-10-17", "Statement": list(statements)}, source)


def allow(action: object = "sqs:SendMessage", resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: object = "sqs:SendMessage", resource: object = "*", **extra: object) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user(*policies: Policy, account: str = ACCOUNT, **kw: Any) -> Principal:
    return Principal(f"arn:aws:iam::{account}:user/alice", account, USER, identity=list(policies), name="alice", **kw)


def session(*policies: Policy, **kw: Any) -> Principal:
    return Principal(SESSION, ACCOUNT, ROLE_SESSION, role_arn=ROLE, identity=list(policies), **kw)


def test_no_policy_is_an_implicit_deny_with_aws_message():
    decision = evaluate(user(), "sqs:SendMessage", QUEUE, {})
    assert not decision.allowed and decision.reason == "no-identity"
    assert denial_message(user(), "sqs:SendMessage", QUEUE, decision) == (
        f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sqs:SendMessage on resource: "
        f"{QUEUE} because no identity-based policy allows the sqs:SendMessage action")


def test_identity_allow_with_wildcards_in_action_and_resource():
    assert evaluate(user(policy(allow("sqs:Send*", "arn:aws:sqs:*:*:ord?rs"))), "sqs:SendMessage", QUEUE, {}).allowed
    assert evaluate(user(policy(allow("SQS:sendmessage", QUEUE))), "sqs:SendMessage", QUEUE, {}).allowed  # case
    assert not evaluate(user(policy(allow("sqs:Send*", "arn:aws:sqs:*:*:other"))), "sqs:SendMessage", QUEUE, {}).allowed
    # resources match case-sensitively; a wildcard stays inside its ARN field
    assert not evaluate(user(policy(allow("*", QUEUE.upper()))), "sqs:SendMessage", QUEUE, {}).allowed
    assert not evaluate(user(policy(allow("*", "arn:aws:sqs:us-*"))), "sqs:SendMessage", QUEUE, {}).allowed


def test_explicit_deny_wins_over_any_allow():
    decision = evaluate(user(policy(allow("*")), policy(deny(), source="arn:aws:iam::111111111111:policy/no")),
                        "sqs:SendMessage", QUEUE, {})
    assert decision.reason == "deny-identity"
    assert decision.because("sqs:SendMessage") == (
        "with an explicit deny in an identity-based policy: arn:aws:iam::111111111111:policy/no")
    resource = policy({**allow(), "Principal": "*"}, {**deny(), "Principal": {"AWS": ROLE}})
    assert evaluate(session(policy(allow())), "sqs:SendMessage", QUEUE, {},
                    resource_policy=resource).reason == "deny-resource"


def test_not_action_and_not_resource():
    everything_but_delete = policy({"Effect": "Allow", "NotAction": "sqs:Delete*", "Resource": "*"})
    assert evaluate(user(everything_but_delete), "sqs:SendMessage", QUEUE, {}).allowed
    assert not evaluate(user(everything_but_delete), "sqs:DeleteQueue", QUEUE, {}).allowed
    not_orders = policy({"Effect": "Allow", "Action": "sqs:*", "NotResource": QUEUE})
    assert not evaluate(user(not_orders), "sqs:SendMessage", QUEUE, {}).allowed
    assert evaluate(user(not_orders), "sqs:SendMessage", QUEUE + "2", {}).allowed


def test_permissions_boundary_intersects():
    wide = policy(allow("sqs:*"))
    boundary = policy(allow("sqs:ReceiveMessage"), source="arn:aws:iam::111111111111:policy/b")
    assert evaluate(user(wide, boundary=boundary), "sqs:ReceiveMessage", QUEUE, {}).allowed
    decision = evaluate(user(wide, boundary=boundary), "sqs:SendMessage", QUEUE, {})
    assert decision.reason == "no-boundary"
    assert decision.because("sqs:SendMessage") == "because no permissions boundary allows the sqs:SendMessage action"
    # the boundary grants nothing by itself
    assert evaluate(user(boundary=boundary), "sqs:ReceiveMessage", QUEUE, {}).reason == "no-identity"
    denied = evaluate(user(wide, boundary=policy(allow("*"), deny())), "sqs:SendMessage", QUEUE, {})
    assert denied.reason == "deny-boundary"


def test_session_policy_intersects():
    role = policy(allow("sqs:*"))
    limited = session(role, session=[policy(allow("sqs:GetQueueAttributes"))])
    assert evaluate(limited, "sqs:GetQueueAttributes", QUEUE, {}).allowed
    assert evaluate(limited, "sqs:SendMessage", QUEUE, {}).reason == "no-session"
    assert evaluate(session(role, session=[]), "sqs:SendMessage", QUEUE, {}).reason == "no-session"


def test_same_account_resource_policy_allow_is_enough():
    queue_policy = policy({**allow(resource=QUEUE), "Principal": {"AWS": SESSION}})
    assert evaluate(session(), "sqs:SendMessage", QUEUE, {}, resource_policy=queue_policy).allowed
    by_role = policy({**allow(resource=QUEUE), "Principal": {"AWS": ROLE}})
    assert evaluate(session(), "sqs:SendMessage", QUEUE, {}, resource_policy=by_role).allowed
    # naming the role's ARN is limited by the session policy; naming the session is not
    limited = session(session=[policy(allow("sqs:GetQueueAttributes"))])
    assert not evaluate(limited, "sqs:SendMessage", QUEUE, {}, resource_policy=by_role).allowed
    assert evaluate(limited, "sqs:SendMessage", QUEUE, {}, resource_policy=queue_policy).allowed
    # naming the account only delegates to the account's identity policies
    by_account = policy({**allow(resource=QUEUE), "Principal": {"AWS": ACCOUNT}})
    assert not evaluate(session(), "sqs:SendMessage", QUEUE, {}, resource_policy=by_account).allowed


def test_cross_account_needs_both_sides():
    caller = user(policy(allow()), account=OTHER)
    grant = policy({**allow(resource=QUEUE), "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}})
    assert evaluate(caller, "sqs:SendMessage", QUEUE, {}, resource_policy=grant, resource_account=ACCOUNT).allowed
    assert evaluate(caller, "sqs:SendMessage", QUEUE, {}, resource_account=ACCOUNT).reason == "no-resource"
    no_identity = user(account=OTHER)
    assert evaluate(no_identity, "sqs:SendMessage", QUEUE, {}, resource_policy=grant,
                    resource_account=ACCOUNT).reason == "no-identity"


def test_root_is_allowed_in_its_account_but_not_past_a_resource_deny():
    root = Principal(f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, ROOT)
    assert evaluate(root, "sqs:DeleteQueue", QUEUE, {}, resource_account=ACCOUNT).allowed
    fence = policy({**deny("sqs:DeleteQueue"), "Principal": "*"})
    assert not evaluate(root, "sqs:DeleteQueue", QUEUE, {}, resource_policy=fence, resource_account=ACCOUNT).allowed
    other_root = Principal(f"arn:aws:iam::{OTHER}:root", OTHER, ROOT)
    assert not evaluate(other_root, "sqs:SendMessage", QUEUE, {}, resource_account=ACCOUNT).allowed


def test_not_principal():
    everyone_but_alice = policy({**deny(), "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}},
                                {**allow(), "Principal": "*"})
    assert evaluate(user(), "sqs:SendMessage", QUEUE, {}, resource_policy=everyone_but_alice).allowed
    assert not evaluate(session(policy(allow())), "sqs:SendMessage", QUEUE, {},
                        resource_policy=everyone_but_alice).allowed


def test_service_principal_needs_the_resource_policy_with_its_source():
    events = Principal("events.amazonaws.com", ACCOUNT, SERVICE)
    rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/checkout"
    grant = policy({**allow(resource=QUEUE), "Principal": {"Service": "events.amazonaws.com"},
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule}}})
    assert evaluate(events, "sqs:SendMessage", QUEUE, {"aws:sourcearn": rule}, resource_policy=grant).allowed
    other = {"aws:sourcearn": rule + "2"}
    assert evaluate(events, "sqs:SendMessage", QUEUE, other, resource_policy=grant).reason == "no-resource"
    sns = Principal("sns.amazonaws.com", ACCOUNT, SERVICE)
    assert not evaluate(sns, "sqs:SendMessage", QUEUE, {"aws:sourcearn": rule}, resource_policy=grant).allowed


def test_policy_variables():
    home = policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    assert evaluate(user(home), "s3:GetObject", "arn:aws:s3:::home/alice/notes", {}).allowed
    assert not evaluate(user(home), "s3:GetObject", "arn:aws:s3:::home/bob/notes", {}).allowed
    literal = policy(allow("s3:GetObject", "arn:aws:s3:::b/${*}"))
    assert evaluate(user(literal), "s3:GetObject", "arn:aws:s3:::b/*", {}).allowed
    assert not evaluate(user(literal), "s3:GetObject", "arn:aws:s3:::b/x", {}).allowed


def test_principal_tags_reach_conditions():
    tagged = policy(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": "orders"}}))
    assert evaluate(user(tagged, tags={"team": "orders"}), "sqs:SendMessage", QUEUE, {}).allowed
    assert not evaluate(user(tagged, tags={"team": "billing"}), "sqs:SendMessage", QUEUE, {}).allowed


def test_assume_role_needs_the_trust_policy_even_in_one_account():
    trust = policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    caller = user(policy(allow("sts:AssumeRole")))
    assert evaluate(caller, "sts:AssumeRole", ROLE, {}, resource_policy=trust,
                    resource_required=True).reason == "no-resource"
    by_account = policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"})
    assert evaluate(caller, "sts:AssumeRole", ROLE, {}, resource_policy=by_account, resource_required=True).allowed
    assert not evaluate(user(), "sts:AssumeRole", ROLE, {}, resource_policy=by_account, resource_required=True).allowed

