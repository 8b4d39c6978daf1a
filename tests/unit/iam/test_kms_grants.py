"""KMS grants as IAM enforcement reads them: the grantee principal (the caller or its role), the
operation, and the encryption context constraints
(https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html)."""

from __future__ import annotations

from overcast.authz.evaluation import ROLE_SESSION, ROOT, Principal
from overcast.services.iam.kms_access import KeyCheck, grant_allows

ROLE = "arn:aws:iam::111122223333:role/app"
SESSION = Principal("arn:aws:sts::111122223333:assumed-role/app/job", "111122223333", ROLE_SESSION, role_arn=ROLE)
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _allows(principal: Principal, action: str, grant: dict, context: dict | None = None) -> bool:
    return grant_allows(principal, KeyCheck(action, KEY, [grant], context))()


def test_grantee_and_operation():
    grant = {"GranteePrincipal": ROLE, "Operations": ["Decrypt", "ReEncryptFrom"]}
    assert _allows(SESSION, "kms:Decrypt", grant)
    assert _allows(SESSION, "kms:ReEncryptFrom", grant)
    assert not _allows(SESSION, "kms:Encrypt", grant)
    other = Principal("arn:aws:iam::111122223333:user/bob", "111122223333", "user")
    assert not _allows(other, "kms:Decrypt", grant)


def test_the_accounts_root_as_grantee():
    grant = {"GranteePrincipal": "arn:aws:iam::111122223333:root", "Operations": ["Decrypt"]}
    assert _allows(Principal("arn:aws:iam::111122223333:root", "111122223333", ROOT), "kms:Decrypt", grant)
    assert not _allows(SESSION, "kms:Decrypt", grant)


def test_encryption_context_equals_needs_exactly_the_pairs():
    grant = {"GranteePrincipal": ROLE, "Operations": ["Decrypt"],
             "Constraints": {"EncryptionContextEquals": {"app": "a"}}}
    assert _allows(SESSION, "kms:Decrypt", grant, {"app": "a"})
    assert not _allows(SESSION, "kms:Decrypt", grant, {"app": "a", "more": "x"})
    assert not _allows(SESSION, "kms:Decrypt", grant, None)


def test_encryption_context_subset_needs_at_least_the_pairs():
    grant = {"GranteePrincipal": ROLE, "Operations": ["Decrypt"],
             "Constraints": {"EncryptionContextSubset": {"app": "a"}}}
    assert _allows(SESSION, "kms:Decrypt", grant, {"app": "a", "more": "x"})
    assert not _allows(SESSION, "kms:Decrypt", grant, {"app": "A"})
    assert not _allows(SESSION, "kms:Decrypt", grant, {})
