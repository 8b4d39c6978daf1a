"""IAM users' and groups' List calls page with MaxItems and Marker, as every IAM List call does
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html): they used to answer every
item with IsTruncated false whatever MaxItems said."""

from __future__ import annotations

from typing import Any


def _pages(call: Any, key: str, **kwargs: Any) -> list[list[Any]]:
    """Every page of a List call at MaxItems=2, following Marker while IsTruncated."""
    pages, marker = [], None
    while True:
        answer = call(MaxItems=2, **({"Marker": marker} if marker else {}), **kwargs)
        pages.append(answer[key])
        if not answer["IsTruncated"]:
            assert "Marker" not in answer
            return pages
        marker = answer["Marker"]


def test_users_and_groups_lists_page(account):
    iam = account.root("iam")
    users = ["pager-a", "pager-b", "pager-c"]
    for name in users:
        iam.create_user(UserName=name, Path="/paging/")
        iam.put_user_policy(UserName=name, PolicyName=f"inline-{name}", PolicyDocument='{"Version": "2012-10-17", '
                            '"Statement": [{"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}]}')
    for name in ("group-a", "group-b", "group-c"):
        iam.create_group(GroupName=name)
        iam.add_user_to_group(GroupName=name, UserName="pager-a")
    pages = _pages(iam.list_users, "Users", PathPrefix="/paging/")
    assert [len(p) for p in pages] == [2, 1]
    assert sorted(u["UserName"] for p in pages for u in p) == users
    assert [len(p) for p in _pages(iam.list_groups, "Groups")] == [2, 1]
    assert [len(p) for p in _pages(iam.list_groups_for_user, "Groups", UserName="pager-a")] == [2, 1]
    for name in ("pager-b", "pager-c"):
        iam.add_user_to_group(GroupName="group-a", UserName=name)
    assert [len(p) for p in _pages(iam.get_group, "Users", GroupName="group-a")] == [2, 1]
    for _ in range(2):  # a user has two access keys at most
        iam.create_access_key(UserName="pager-b")
    for number in range(3):
        iam.put_user_policy(UserName="pager-c", PolicyName=f"more-{number}", PolicyDocument='{"Version": '
                            '"2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}')
    assert [len(p) for p in _pages(iam.list_access_keys, "AccessKeyMetadata", UserName="pager-b")] == [2]
    assert [len(p) for p in _pages(iam.list_user_policies, "PolicyNames", UserName="pager-c")] == [2, 2]
    iam.tag_user(UserName="pager-a", Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(3)])
    assert [len(p) for p in _pages(iam.list_user_tags, "Tags", UserName="pager-a")] == [2, 1]


def test_role_tags_page(account):
    iam = account.root("iam")
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": '
                    '"Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
                    Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(3)])
    assert [len(p) for p in _pages(iam.list_role_tags, "Tags", RoleName="tagged")] == [2, 1]


def test_attached_policies_page_and_filter_by_path(account):
    iam = account.root("iam")
    iam.create_user(UserName="attached")
    iam.create_group(GroupName="attached")
    arns = ["arn:aws:iam::aws:policy/AmazonSQSFullAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    for arn in arns:
        iam.attach_user_policy(UserName="attached", PolicyArn=arn)
        iam.attach_group_policy(GroupName="attached", PolicyArn=arn)
    user_pages = _pages(iam.list_attached_user_policies, "AttachedPolicies", UserName="attached")
    assert [len(p) for p in user_pages] == [2, 1]
    assert sorted(a["PolicyArn"] for p in user_pages for a in p) == sorted(arns)
    assert [len(p) for p in _pages(iam.list_attached_group_policies, "AttachedPolicies", GroupName="attached")] \
        == [2, 1]
    service_role = iam.list_attached_user_policies(UserName="attached", PathPrefix="/service-role/")
    assert [a["PolicyName"] for a in service_role["AttachedPolicies"]] == ["AWSLambdaBasicExecutionRole"]
    assert service_role["IsTruncated"] is False
