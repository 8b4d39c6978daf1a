"""Cognito's SRP server half against pycognito's client half, and TOTP against RFC 6238: the
math only (the integration tests sign in through a real server)."""

from __future__ import annotations

from pycognito.aws_srp import AWSSRP

from overcast.services.cognito_idp import srp

POOL = "us-east-1_AbCdEfGhI"


def _exchange(password_set: str, password_tried: str) -> bool:
    salt = srp.new_salt()
    v = srp.verifier(POOL.split("_")[1], "alice", password_set, salt)
    client = AWSSRP(username="alice", password=password_tried, pool_id=POOL, client_id="c", client=object())
    a_hex = client.get_auth_params()["SRP_A"]
    b, big_b = srp.server_values(v)
    secret_block = "c2VjcmV0LWJsb2Nr"
    answer = client.process_challenge({"USER_ID_FOR_SRP": "alice", "SALT": salt, "SRP_B": f"{big_b:x}",
                                       "SECRET_BLOCK": secret_block, "USERNAME": "alice"}, {"USERNAME": "alice"})
    key = srp.session_key(a_hex, b, big_b, v)
    assert key is not None
    return srp.proof_matches(key, POOL.split("_")[1], "alice", secret_block, answer["TIMESTAMP"],
                             answer["PASSWORD_CLAIM_SIGNATURE"])


def test_right_password_proves_itself():
    assert _exchange("Passw0rd!", "Passw0rd!")


def test_wrong_password_does_not():
    assert not _exchange("Passw0rd!", "Passw0rd?")


def test_unsafe_a_is_refused():
    assert srp.session_key(f"{srp.N:x}", 5, 7, 11) is None


def test_totp_matches_rfc_6238():
    from overcast.services.cognito_idp.api_mfa import totp

    # RFC 6238 appendix B, SHA-1: T=59 → 94287082, T=1111111109 → 07081804 (last six digits)
    assert totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59) == "287082"
    assert totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1111111109) == "081804"
