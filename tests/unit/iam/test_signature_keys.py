"""Whose secret signs a request, and AWS's refusal of expired temporary credentials (on the platform's
clock, which a test moves)."""

from __future__ import annotations

import pytest

from overcast.config import Config
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.services.iam.signatures import SignatureError, Verifier
from overcast.services.sts.models import SessionStore
from overcast.testing import FakeClock


@pytest.fixture
def platform():
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


def test_expired_session_keys_are_expired_token(platform):
    creds, _ = platform.component(SessionStore).assume("arn:aws:iam::000000000000:role/r", "s", 900, "000000000000")
    verifier = Verifier(platform)
    assert verifier.secret(service_model("sqs"), creds["AccessKeyId"]) == creds["SecretAccessKey"]
    platform.clock.advance(901)
    with pytest.raises(SignatureError) as caught:
        verifier.secret(service_model("sts"), creds["AccessKeyId"])
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "ExpiredToken", "The security token included in the request is expired", 403)
    with pytest.raises(SignatureError) as caught:
        verifier.secret(service_model("dynamodb"), creds["AccessKeyId"])
    assert (caught.value.code, caught.value.status) == ("ExpiredTokenException", 400)
    with pytest.raises(SignatureError) as caught:
        verifier.secret(service_model("s3"), creds["AccessKeyId"])
    assert (caught.value.code, caught.value.message, caught.value.status) == (
        "ExpiredToken", "The provided token has expired.", 400)


def test_default_keys_sign_with_test(platform):
    verifier = Verifier(platform)
    assert verifier.secret(service_model("sqs"), "test") == "test"
    assert verifier.secret(service_model("sqs"), "123456789012") == "test"
    with pytest.raises(SignatureError) as caught:
        verifier.secret(service_model("lambda"), "AKIAIOSFODNN7EXAMPLE")
    assert (caught.value.code, caught.value.status) == ("UnrecognizedClientException", 403)
