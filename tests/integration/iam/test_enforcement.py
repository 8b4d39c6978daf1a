"""`--iam enforce` on API calls: who the caller is (root keys, users' keys, role sessions), the
evaluation rules (explicit deny, boundaries, session policies, resource policies across accounts,
conditions) and AWS's AccessDenied in each protocol's shape."""

from __future__ import annotations

import json

from tests.integration.iam.conftest import allow, doc, refused

DENY_SEND = doc({"Effect": "Deny", "Action": "sqs:SendMessage", "Resource": "*"})


def test_root_keys_are_allowed(account):
    sqs = account.root("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
    assert account.root("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{account.id}:root"


def test_user_without_policy_is_denied_then_allowed(account):
    url = account.root("sqs").create_queue(QueueName="orders")["QueueUrl"]
    key = account.user("alice")
    sqs = account.as_keys("sqs", key)
    code, message, status = refused(sqs.send_message, QueueUrl=url, MessageBody="x")
    queue = f"arn:aws:sqs:us-east-1:{account.id}:orders"
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/alice is not authorized to perform: sqs:SendMessage "
                       f"on resource: {queue} because no identity-based policy allows the sqs:SendMessage action")
    account.root("iam").put_user_policy(UserName="alice", PolicyName="send",
                                        PolicyDocument=json.dumps(doc(allow("sqs:SendMessage", queue))))
    assert sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
    identity = account.as_keys("sts", key).get_caller_identity()
    assert (identity["Arn"], identity["Account"]) == (f"arn:aws:iam::{account.id}:user/alice", account.id)


def test_explicit_deny_in_a_managed_policy_wins(account):
    url = account.root("sqs").create_queue(QueueName="q")["QueueUrl"]
    key = account.user("bob", policy=doc(allow("sqs:*")))
    deny = account.policy("no-send", DENY_SEND)
    account.root("iam").attach_user_policy(UserName="bob", PolicyArn=deny)
    code, message, _ = refused(account.as_keys("sqs", key).send_message, QueueUrl=url, MessageBody="x")
    assert code == "AccessDenied"
    assert message.endswith(f"with an explicit deny in an identity-based policy: {deny}")


def test_permissions_boundary_limits_a_user(account):
    url = account.root("sqs").create_queue(QueueName="q")["QueueUrl"]
    boundary = account.policy("read-only", doc(allow("sqs:GetQueueAttributes")))
    key = account.user("carol", boundary=boundary, policy=doc(allow("sqs:*")))
    sqs = account.as_keys("sqs", key)
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    _, message, _ = refused(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert message.endswith("because no permissions boundary allows the sqs:SendMessage action")
    assert account.root("iam").get_user(UserName="carol")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] \
        == boundary


def _role(account, name: str, managed: str | None = None, inline: dict | None = None) -> str:
    iam = account.root("iam")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"}, "Action": "sts:AssumeRole"})
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=managed)
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
    return arn


def test_role_session_with_a_session_policy(account):
    url = account.root("sqs").create_queue(QueueName="q")["QueueUrl"]
    role = _role(account, "worker", managed="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    creds = account.root("sts").assume_role(
        RoleArn=role, RoleSessionName="job",
        Policy=json.dumps(doc(allow("sqs:GetQueueAttributes"))))["Credentials"]
    sqs = account.as_keys("sqs", creds)
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    _, message, _ = refused(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert message.startswith(f"User: arn:aws:sts::{account.id}:assumed-role/worker/job is not authorized")
    assert message.endswith("because no session policy allows the sqs:SendMessage action")
    full = account.as_keys("sqs", account.root("sts").assume_role(RoleArn=role, RoleSessionName="all")["Credentials"])
    assert full.send_message(QueueUrl=url, MessageBody="x")["MessageId"]


def test_assume_role_needs_the_trust_policy(account):
    iam = account.root("iam")
    trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName="fn-only", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    key = account.user("dave", policy=doc(allow("sts:AssumeRole")))
    code, message, status = refused(account.as_keys("sts", key).assume_role, RoleArn=role, RoleSessionName="s1")
    assert (code, status) == ("AccessDenied", 403)
    assert f"is not authorized to perform: sts:AssumeRole on resource: {role}" in message


def test_cross_account_needs_the_resource_policy(account, enforcing):
    from tests.integration.iam.conftest import Account

    other = Account(enforcing)
    sqs = account.root("sqs")
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{account.id}:shared"
    key = other.user("erin", policy=doc(allow("sqs:SendMessage")))
    theirs = other.as_keys("sqs", key)
    _, message, _ = refused(theirs.send_message, QueueUrl=url, MessageBody="x")
    assert message.endswith("because no resource-based policy allows the sqs:SendMessage action")
    grant = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other.id}:root"},
                 "Action": "sqs:SendMessage", "Resource": queue})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(grant)})
    assert theirs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
    # the resource policy alone is not enough across accounts: the caller's identity must allow too
    bare = other.as_keys("sqs", other.user("frank"))
    _, message, _ = refused(bare.send_message, QueueUrl=url, MessageBody="x")
    assert message.endswith("because no identity-based policy allows the sqs:SendMessage action")


def test_same_account_resource_policy_naming_the_user_is_enough(account):
    sqs = account.root("sqs")
    url = sqs.create_queue(QueueName="direct")["QueueUrl"]
    key = account.user("gina")
    grant = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:user/gina"},
                 "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:us-east-1:{account.id}:direct"})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(grant)})
    assert account.as_keys("sqs", key).send_message(QueueUrl=url, MessageBody="x")["MessageId"]


def test_conditions_on_region_transport_and_tags(account):
    key = account.user("hal", policy=doc(
        allow("sqs:CreateQueue", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
        allow("sqs:TagQueue", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}),
        allow("sqs:ListQueues", Condition={"Bool": {"aws:SecureTransport": "true"}})))
    assert account.as_keys("sqs", key, region_name="eu-west-1").create_queue(QueueName="eu")["QueueUrl"]
    code, _, _ = refused(account.as_keys("sqs", key).create_queue, QueueName="us")
    assert code == "AccessDenied"
    eu = account.as_keys("sqs", key, region_name="eu-west-1")
    url = account.root("sqs", region_name="eu-west-1").get_queue_url(QueueName="eu")["QueueUrl"]
    assert eu.tag_queue(QueueUrl=url, Tags={"team": "orders"}) is not None
    assert refused(eu.tag_queue, QueueUrl=url, Tags={"owner": "me"})[0] == "AccessDenied"
    assert refused(eu.list_queues)[0] == "AccessDenied"  # plain HTTP: aws:SecureTransport is false


def test_access_denied_in_each_protocol(account):
    key = account.user("ivy")
    ddb = refused(account.as_keys("dynamodb", key).list_tables)
    assert ddb[0] == "AccessDeniedException" and ddb[2] == 400
    assert "dynamodb:ListTables" in ddb[1]
    s3 = refused(account.as_keys("s3", key).list_buckets)
    assert s3[0] == "AccessDenied" and s3[2] == 403 and "s3:ListAllMyBuckets" in s3[1]
    sns = refused(account.as_keys("sns", key).list_topics)
    assert sns[0] == "AuthorizationError" and sns[2] == 403
    fn = refused(account.as_keys("lambda", key).get_function, FunctionName="nothing")
    assert fn[0] == "AccessDeniedException" and fn[2] == 403
    assert f"on resource: arn:aws:lambda:us-east-1:{account.id}:function:nothing" in fn[1]
    kinesis = refused(account.as_keys("kinesis", key).list_streams)
    assert kinesis[0] == "AccessDeniedException" and kinesis[2] == 400
    iam = refused(account.as_keys("iam", key).list_roles)
    assert iam[0] == "AccessDenied" and iam[2] == 403


def test_aws_managed_policies_have_their_documents(account):
    iam = account.root("iam")
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    version = iam.get_policy_version(PolicyArn=arn, VersionId=iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])
    document = version["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    assert "sqs:ReceiveMessage" in document["Statement"][0]["Action"]
    url = account.root("sqs").create_queue(QueueName="ro")["QueueUrl"]
    iam.create_user(UserName="jo")
    iam.attach_user_policy(UserName="jo", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")
    sqs = account.as_keys("sqs", iam.create_access_key(UserName="jo")["AccessKey"])
    assert sqs.get_queue_url(QueueName="ro")["QueueUrl"] == url
    assert refused(sqs.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"


def test_denials_are_in_the_report_with_the_grant(account, enforcing):
    from tests.integration.iam.conftest import report

    key = account.user("kim")
    refused(account.as_keys("dynamodb", key).describe_table, TableName="stock")
    table = f"arn:aws:dynamodb:us-east-1:{account.id}:table/stock"
    entry = next(d for d in reversed(report(enforcing)) if d["resource"] == table)
    assert entry["action"] == "dynamodb:DescribeTable" and entry["mode"] == "enforce"
    assert entry["principal"] == f"arn:aws:iam::{account.id}:user/kim"
    assert entry["grant"] == {"identity_policy_of": entry["principal"],
                              "statement": {"Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": table}}


def test_resource_and_principal_tags(account):
    sqs = account.root("sqs")
    mine = sqs.create_queue(QueueName="tagged", tags={"team": "orders"})["QueueUrl"]
    other = sqs.create_queue(QueueName="untagged")["QueueUrl"]
    key = account.user("max", policy=doc(allow("sqs:SendMessage", Condition={
        "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})))
    account.root("iam").tag_user(UserName="max", Tags=[{"Key": "team", "Value": "orders"}])
    theirs = account.as_keys("sqs", key)
    assert theirs.send_message(QueueUrl=mine, MessageBody="x")["MessageId"]
    assert refused(theirs.send_message, QueueUrl=other, MessageBody="x")[0] == "AccessDenied"



def test_aws_managed_policies_are_listed(account):
    iam = account.root("iam")
    listed = {p["Arn"]: p for p in iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]}
    assert listed["arn:aws:iam::aws:policy/AdministratorAccess"]["Path"] == "/"
    assert "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" in listed
    mine = account.policy("own", doc(allow("sqs:*")))
    assert [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]] == [mine]


def test_malformed_identity_policies_are_refused(account):
    iam = account.root("iam")
    iam.create_user(UserName="nia")
    cases: list[tuple[dict, str]] = [
        ({"Effect": "Alow", "Action": "sqs:*", "Resource": "*"}, "Syntax errors in policy."),
        ({"Effect": "Allow", "Resource": "*"}, "Policy statement must contain actions."),
        ({"Effect": "Allow", "Action": "sqs:*"}, "Policy statement must contain resources."),
        ({"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Principal": "*"},
         "Policy document should not specify a principal."),
        ({"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {"StringSortOf": {"a:b": "c"}}},
         "Syntax errors in policy."),
    ]
    for statement, message in cases:
        code, got, status = refused(iam.put_user_policy, UserName="nia", PolicyName="p",
                                    PolicyDocument=json.dumps(doc(statement)))
        assert (code, got, status) == ("MalformedPolicyDocument", message, 400)
    assert refused(iam.create_policy, PolicyName="p", PolicyDocument=json.dumps(doc({"Effect": "Allow"})))[0] == \
        "MalformedPolicyDocument"


def test_unauthenticated_operations_need_no_permission(account):
    # Cognito's InitiateAuth takes no credentials on AWS: a key without policies reaches the operation
    idp = account.as_keys("cognito-idp", account.user("oz"))
    code, _, _ = refused(idp.initiate_auth, ClientId="nosuchclient", AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": "u", "PASSWORD": "p"})
    assert code == "ResourceNotFoundException"


def test_a_users_groups_grant_and_deny(account):
    iam = account.root("iam")
    url = account.root("sqs").create_queue(QueueName="grouped")["QueueUrl"]
    key = account.user("pat")
    sqs = account.as_keys("sqs", key)
    assert refused(sqs.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    iam.create_group(GroupName="writers")
    iam.add_user_to_group(GroupName="writers", UserName="pat")
    iam.attach_group_policy(GroupName="writers", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    assert sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]
    group = iam.get_group(GroupName="writers")
    assert [u["UserName"] for u in group["Users"]] == ["pat"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="pat")["Groups"]] == ["writers"]
    iam.create_group(GroupName="frozen")
    iam.put_group_policy(GroupName="frozen", PolicyName="deny", PolicyDocument=json.dumps(DENY_SEND))
    iam.add_user_to_group(GroupName="frozen", UserName="pat")
    _, message, _ = refused(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert message.endswith("with an explicit deny in an identity-based policy")
    assert refused(iam.delete_group, GroupName="frozen")[0] == "DeleteConflict"
    iam.remove_user_from_group(GroupName="frozen", UserName="pat")
    assert sqs.send_message(QueueUrl=url, MessageBody="x")["MessageId"]


def test_handing_a_role_to_lambda_needs_pass_role(account):
    from overcast.testing.lambdas import zip_handler

    role = _role(account, "fn-role")
    account.root("iam").update_assume_role_policy(RoleName="fn-role", PolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})))
    key = account.user("quinn", policy=doc(allow("lambda:CreateFunction")))
    lam = account.as_keys("lambda", key)
    create = {"FunctionName": "passed", "Runtime": "python3.12", "Role": role, "Handler": "handler.handler",
              "Code": {"ZipFile": zip_handler("def handler(e, c):\n    return 1\n")}}
    code, message, status = refused(lam.create_function, **create)
    assert (code, status) == ("AccessDeniedException", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/quinn is not authorized to perform: iam:PassRole on "
                       f"resource: {role} because no identity-based policy allows the iam:PassRole action")
    account.root("iam").put_user_policy(UserName="quinn", PolicyName="pass", PolicyDocument=json.dumps(doc(
        allow("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))))
    assert lam.create_function(**create)["FunctionName"] == "passed"
