"""KMS under `--iam enforce`: the key policy is the primary control, identity policies count only
through the default policy's delegation to the account, grants allow their operations to their
grantee, an explicit Deny wins, and AWS-managed keys are usable only through their service
(https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html)."""

from __future__ import annotations

import json

from tests.integration.iam.conftest import Account, allow, doc, refused


def _role_session(account: Account, name: str, policy: dict | None = None) -> tuple[str, dict[str, str]]:
    iam = account.root("iam")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"}, "Action": "sts:AssumeRole"})
    role: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
    creds = account.root("sts").assume_role(RoleArn=role, RoleSessionName="job")["Credentials"]
    return role, creds


def _key(account: Account, policy: dict | None = None) -> tuple[str, str]:
    """(key id, key ARN) of a new key made by the account's root, with `policy` or the default one."""
    extra = {"Policy": json.dumps(policy), "BypassPolicyLockoutSafetyCheck": True} if policy else {}
    meta = account.root("kms").create_key(**extra)["KeyMetadata"]
    return meta["KeyId"], meta["Arn"]


def _root_only(account: Account) -> dict:
    """A key policy that names only the account's root for administration, without `kms:*`
    delegation of cryptographic operations to IAM policies."""
    return doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Put*", "kms:CreateGrant",
                           "kms:Encrypt"], "Resource": "*"})


def test_default_key_policy_delegates_to_identity_policies(account):
    key_id, arn = _key(account)
    account.root("kms").create_alias(AliasName="alias/app", TargetKeyId=key_id)
    blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
    _, creds = _role_session(account, "reader", doc(allow("kms:Decrypt", arn)))
    kms = account.as_keys("kms", creds)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hi"
    # Encrypt by alias acts on the key's ARN, which the identity policy does not name
    code, message, status = refused(kms.encrypt, KeyId="alias/app", Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (f"User: arn:aws:sts::{account.id}:assumed-role/reader/job is not authorized to perform: "
                       f"kms:Encrypt on resource: {arn} because no identity-based policy allows the kms:Encrypt action")


def test_key_policy_without_root_delegation_ignores_identity_policies(account):
    key_id, arn = _key(account, _root_only(account))
    blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
    _, creds = _role_session(account, "admin", doc(allow("kms:*")))
    kms = account.as_keys("kms", creds)
    code, message, status = refused(kms.decrypt, CiphertextBlob=blob)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (f"User: arn:aws:sts::{account.id}:assumed-role/admin/job is not authorized to perform: "
                       f"kms:Decrypt on resource: {arn} because no resource-based policy allows the kms:Decrypt action")
    # the account's root is bound by the key policy too
    code, _, _ = refused(account.root("kms").decrypt, CiphertextBlob=blob)
    assert code == "AccessDeniedException"


def test_key_policy_naming_the_role_is_enough(account):
    role, creds = _role_session(account, "named")
    policy = _root_only(account)
    policy["Statement"].append({"Effect": "Allow", "Principal": {"AWS": role}, "Action": "kms:Decrypt",
                                "Resource": "*"})
    key_id, _ = _key(account, policy)
    blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
    assert account.as_keys("kms", creds).decrypt(CiphertextBlob=blob)["Plaintext"] == b"hi"


def test_a_grant_allows_its_operations_to_its_grantee(account):
    key_id, arn = _key(account, _root_only(account))
    root = account.root("kms")
    blob = root.encrypt(KeyId=key_id, Plaintext=b"hi", EncryptionContext={"app": "a"})["CiphertextBlob"]
    role, creds = _role_session(account, "granted")
    kms = account.as_keys("kms", creds)
    refused(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"app": "a"})
    root.create_grant(KeyId=key_id, GranteePrincipal=role, Operations=["Decrypt"],
                      Constraints={"EncryptionContextSubset": {"app": "a"}})
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "a"})["Plaintext"] == b"hi"
    # only the granted operation, and only under the grant's encryption context constraint
    code, message, _ = refused(kms.encrypt, KeyId=arn, Plaintext=b"x", EncryptionContext={"app": "a"})
    assert code == "AccessDeniedException" and "kms:Encrypt" in message
    other = root.encrypt(KeyId=key_id, Plaintext=b"hi", EncryptionContext={"app": "b"})["CiphertextBlob"]
    refused(kms.decrypt, CiphertextBlob=other, EncryptionContext={"app": "b"})


def test_explicit_deny_wins_over_a_grant(account):
    key_id, _ = _key(account)
    blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
    role, creds = _role_session(account, "denied", doc({"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}))
    account.root("kms").create_grant(KeyId=key_id, GranteePrincipal=role, Operations=["Decrypt"])
    _, message, _ = refused(account.as_keys("kms", creds).decrypt, CiphertextBlob=blob)
    assert "with an explicit deny in an identity-based policy" in message


def test_cross_account_needs_the_key_policy_and_the_identity_policy(account, enforcing):
    other = Account(enforcing)
    key_id, arn = _key(account)
    blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
    theirs = other.as_keys("kms", other.user("erin", policy=doc(allow("kms:Decrypt"))))
    _, message, _ = refused(theirs.decrypt, CiphertextBlob=blob, KeyId=arn)
    assert message.endswith("because no resource-based policy allows the kms:Decrypt action")
    policy = json.loads(account.root("kms").get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    policy["Statement"].append({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other.id}:root"},
                                "Action": "kms:Decrypt", "Resource": "*"})
    account.root("kms").put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(policy))
    assert theirs.decrypt(CiphertextBlob=blob, KeyId=arn)["Plaintext"] == b"hi"
    bare = other.as_keys("kms", other.user("frank"))
    _, message, _ = refused(bare.decrypt, CiphertextBlob=blob, KeyId=arn)
    assert message.endswith("because no identity-based policy allows the kms:Decrypt action")


def test_aws_managed_key_is_usable_only_through_its_service(account):
    account.root("secretsmanager").create_secret(Name="s", SecretString="v")  # makes aws/secretsmanager
    _, creds = _role_session(account, "direct", doc(allow("kms:*")))
    kms = account.as_keys("kms", creds)
    assert kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]["KeyManager"] == "AWS"
    _, message, _ = refused(kms.encrypt, KeyId="alias/aws/secretsmanager", Plaintext=b"x")
    assert message.endswith("because no resource-based policy allows the kms:Encrypt action")


def test_report_mode_lists_what_the_key_policy_misses():
    from overcast.testing import OvercastServer
    from tests.integration.iam.conftest import report

    with OvercastServer(env={"OVERCAST_IAM": "report"}) as server:
        account = Account(server)
        key_id, arn = _key(account, _root_only(account))
        blob = account.root("kms").encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
        kms = account.as_keys("kms", account.user("lee", policy=doc(allow("kms:*"))))
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hi"  # allowed: only reported
        (entry,) = [d for d in report(server) if d["principal"].endswith(":user/lee")]
        assert (entry["action"], entry["resource"], entry["reason"]) == ("kms:Decrypt", arn, "no-resource")
        assert entry["grant"] == {"resource_policy_of": arn, "statement": {
            "Effect": "Allow", "Action": "kms:Decrypt", "Resource": arn,
            "Principal": {"AWS": f"arn:aws:iam::{account.id}:user/lee"}}}


def test_sqs_mapping_needs_decrypt_on_the_queue_key(account, enforcing):
    """An SQS mapping over an encrypted queue reads with `kms:Decrypt` on its key: without it the
    messages wait (each attempt a reported denial); with it they are processed."""
    from overcast.testing import wait_until
    from tests.integration.iam.conftest import report
    from tests.integration.iam.test_deliveries import SQS_EXECUTION, _depth, _function

    key_id, arn = _key(account)
    sqs = account.root("sqs")
    url = sqs.create_queue(QueueName="sealed", Attributes={"KmsMasterKeyId": key_id})["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{account.id}:sealed"
    name, role = _function(account, "def handler(event, context):\n    return None\n", SQS_EXECUTION)
    role_name = role.rsplit("/", 1)[1]
    session = f"arn:aws:sts::{account.id}:assumed-role/{role_name}/{name}"
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    account.root("lambda").create_event_source_mapping(EventSourceArn=queue, FunctionName=name, BatchSize=1)

    def denial() -> dict | None:
        return next((d for d in report(enforcing) if d["principal"] == session and d["action"] == "kms:Decrypt"), None)

    entry = wait_until(denial, 60, "the poller's kms:Decrypt denial")
    assert (entry["resource"], entry["reason"]) == (arn, "no-identity")
    assert _depth(account, url) == 1
    account.root("iam").put_role_policy(RoleName=role_name, PolicyName="decrypt",
                                        PolicyDocument=json.dumps(doc(allow("kms:Decrypt", arn))))
    wait_until(lambda: _depth(account, url) == 0, 60, "the message processed once the role may decrypt")
