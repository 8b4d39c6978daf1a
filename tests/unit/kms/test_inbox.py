"""The in-process interface other services use (services/kms/inbox.py), on a real SQLite store with a
fake clock: round-trips, context binding, key states and their KMS errors, AWS-managed keys, and the
deletion and rotation timers."""

from __future__ import annotations

import pytest

from overcast.config import Config
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kms import blob, inbox
from overcast.services.kms.models import DAY, KmsStore
from overcast.testing import FakeClock

A, R = "000000000000", "us-east-1"


@pytest.fixture
def platform():
    platform = Platform(Config(in_memory=True), clock=FakeClock(start=1_700_000_000.0))
    yield platform
    platform.close()


def _key(platform, **kwargs) -> dict:
    options = {"spec": "SYMMETRIC_DEFAULT", "usage": "ENCRYPT_DECRYPT", **kwargs}
    return platform.component(KmsStore).create(A, R, **options)["Metadata"]


def _code(call, *args) -> str:
    with pytest.raises(ServiceError) as info:
        call(*args)
    return info.value.code


def test_a_ciphertext_decrypts_only_with_its_context(platform):
    meta = _key(platform)
    data, arn = inbox.encrypt(platform, A, R, meta["KeyId"], b"secret", {"queue": "orders", "b": "2"})
    assert arn == meta["Arn"]
    assert blob.header(data).key_id == meta["KeyId"]
    assert b"secret" not in data
    # the pairs' order does not matter; their values do
    assert inbox.decrypt(platform, A, R, data, {"b": "2", "queue": "orders"}) == (b"secret", meta["Arn"])
    assert _code(inbox.decrypt, platform, A, R, data, {"queue": "other", "b": "2"}) == "InvalidCiphertextException"
    assert _code(inbox.decrypt, platform, A, R, data, None) == "InvalidCiphertextException"
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    assert _code(inbox.decrypt, platform, A, R, tampered, {"queue": "orders", "b": "2"}) == \
        "InvalidCiphertextException"
    assert _code(inbox.decrypt, platform, A, R, b"not a blob at all" * 4, None) == "InvalidCiphertextException"


def test_key_states_raise_kms_errors(platform):
    store = platform.component(KmsStore)
    meta = _key(platform)
    data, _ = inbox.encrypt(platform, A, R, meta["Arn"], b"x")
    doc = store.get(A, R, meta["KeyId"])
    doc["Metadata"].update(KeyState="Disabled", Enabled=False)
    store.put(A, R, doc)
    assert _code(inbox.encrypt, platform, A, R, meta["KeyId"], b"x") == "DisabledException"
    assert _code(inbox.decrypt, platform, A, R, data) == "DisabledException"
    doc["Metadata"].update(KeyState="PendingDeletion")
    store.put(A, R, doc)
    assert _code(inbox.encrypt, platform, A, R, meta["KeyId"], b"x") == "KMSInvalidStateException"
    assert _code(inbox.describe_key, platform, A, R, "alias/missing") == "NotFoundException"
    assert _code(inbox.encrypt, platform, A, R, "8d4a7b0e-0000-4000-8000-000000000000", b"x") == "NotFoundException"


def test_asymmetric_keys_cannot_serve_services(platform):
    meta = _key(platform, spec="RSA_2048", usage="SIGN_VERIFY")
    assert _code(inbox.encrypt, platform, A, R, meta["KeyId"], b"x") == "InvalidKeyUsageException"


def test_aws_managed_key_is_made_once_on_first_use(platform):
    data, arn = inbox.encrypt(platform, A, R, "alias/aws/sqs", b"m")
    described = inbox.describe_key(platform, A, R, "alias/aws/sqs")
    assert described["Arn"] == arn and described["KeyManager"] == "AWS"
    assert inbox.encrypt(platform, A, R, f"arn:aws:kms:{R}:{A}:alias/aws/sqs", b"m")[1] == arn
    assert inbox.decrypt(platform, A, R, data)[0] == b"m"


def test_a_scheduled_deletion_happens_on_the_platform_clock(platform):
    store = platform.component(KmsStore)
    meta = _key(platform)
    doc = store.get(A, R, meta["KeyId"])
    doc["Metadata"]["KeyState"] = "PendingDeletion"
    doc["DeletesAt"] = platform.clock.later(7 * DAY)
    store.put(A, R, doc)
    platform.clock.advance(7 * DAY - 1)
    assert inbox.describe_key(platform, A, R, meta["KeyId"])["KeyState"] == "PendingDeletion"
    platform.clock.advance(2)
    assert _code(inbox.describe_key, platform, A, R, meta["KeyId"]) == "NotFoundException"
    assert platform.db.scalar("SELECT COUNT(*) FROM kms_material WHERE key_id = ?", (meta["KeyId"],)) == 0


def test_rotation_keeps_old_ciphertexts_decryptable(platform):
    store = platform.component(KmsStore)
    meta = _key(platform)
    before, _ = inbox.encrypt(platform, A, R, meta["KeyId"], b"old")
    store.rotate(A, R, store.get(A, R, meta["KeyId"]), "ON_DEMAND")
    after, _ = inbox.encrypt(platform, A, R, meta["KeyId"], b"new")
    assert (blob.header(before).material, blob.header(after).material) == (1, 2)
    assert inbox.decrypt(platform, A, R, before)[0] == b"old"
    assert inbox.decrypt(platform, A, R, after)[0] == b"new"
    assert inbox.describe_key(platform, A, R, meta["KeyId"])["CurrentKeyMaterialId"] != meta["CurrentKeyMaterialId"]


def test_automatic_rotation_happens_on_the_platform_clock(platform):
    store = platform.component(KmsStore)
    meta = _key(platform)
    before, _ = inbox.encrypt(platform, A, R, meta["KeyId"], b"old")
    doc = store.get(A, R, meta["KeyId"])
    store.schedule_rotation(doc, 90)
    store.put(A, R, doc)
    platform.clock.advance(90 * DAY - 1)
    assert store.rotations(A, R, meta["KeyId"]) == []
    platform.clock.advance(2)
    after, _ = inbox.encrypt(platform, A, R, meta["KeyId"], b"new")
    assert [r["RotationType"] for r in store.rotations(A, R, meta["KeyId"])] == ["AUTOMATIC"]
    assert blob.header(after).material == 2
    assert inbox.decrypt(platform, A, R, before)[0] == b"old"
    assert store.get(A, R, meta["KeyId"])["Rotation"]["NextDate"] == pytest.approx(platform.clock.now() + 90 * DAY)


def test_imported_material_expires_on_the_platform_clock(platform):
    store = platform.component(KmsStore)
    meta = _key(platform)
    doc = store.get(A, R, meta["KeyId"])
    doc["ExpiresAt"] = platform.clock.later(DAY)
    store.put(A, R, doc)
    platform.clock.advance(DAY)
    assert inbox.describe_key(platform, A, R, meta["KeyId"])["KeyState"] == "PendingImport"
    assert _code(inbox.encrypt, platform, A, R, meta["KeyId"], b"x") == "KMSInvalidStateException"
