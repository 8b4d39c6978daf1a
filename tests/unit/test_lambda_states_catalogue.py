"""Lambda's state transitions and error catalogue, as plain functions."""

from __future__ import annotations

from overcast.services.lambda_.catalogue import CATALOGUE, error, reword
from overcast.services.lambda_.states import busy, content_hash, settle, start_creating, start_updating


def test_creation_settles_once_its_time_has_come():
    config = {"RevisionId": "r1", "Timeout": 3}
    start_creating(config, due=10.0)
    assert (config["State"], config["StateReasonCode"]) == ("Pending", "Creating")
    assert "LastUpdateStatus" not in config
    assert busy(config, 9.9) and not settle(config, 9.9)
    assert settle(config, 10.0)
    assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReason" not in config and "_settles" not in config
    assert config["RevisionId"] != "r1"
    assert not settle(config, 11.0)  # nothing left to settle


def test_update_in_progress_then_successful():
    config = {"State": "Active", "LastUpdateStatus": "Successful", "RevisionId": "r1"}
    start_updating(config, due=5.0)
    assert (config["LastUpdateStatus"], config["LastUpdateStatusReasonCode"]) == ("InProgress", "Creating")
    assert settle(config, 5.0)
    assert config["LastUpdateStatus"] == "Successful" and "LastUpdateStatusReason" not in config


def test_content_hash_ignores_what_every_write_changes():
    base = {"Timeout": 3, "CodeSha256": "abc", "_code": "ff", "RevisionId": "a", "LastModified": "x", "State": "Active"}
    same = {**base, "RevisionId": "b", "LastModified": "y", "State": "Pending", "_settles": 1.0}
    assert content_hash(base) == content_hash(same)
    assert content_hash(base) != content_hash({**base, "Timeout": 4})
    assert content_hash(base) != content_hash({**base, "_code": "ee"})


def test_reword_follows_lambda():
    assert reword("Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]") == \
        "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"
    assert reword("[Allow, Terminate]") == "[Terminate, Allow]"
    assert reword("[TRIM_HORIZON, LATEST, AT_TIMESTAMP]") == "[LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
    assert reword("Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at "
                  "'code' failed to satisfy constraint: Member must not be null") == (
        "Value null at 'role' failed to satisfy constraint: Member must not be null.; Value null at 'code' failed "
        "to satisfy constraint: Member must not be null.")
    assert reword("Value 'X86_64' at 'architectures.1' failed to satisfy constraint: Member must satisfy enum value "
                  "set: [x86_64, arm64]") == (
        "Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [x86_64, arm64]]")


def test_catalogue_entries_build_their_errors():
    found = error("function_not_found", arn="arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST")
    assert (found.code, found.status, found.message) == (
        "ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST")
    assert error("unreserved_minimum", minimum=100).fields == {"Type": None}
    assert all(entry.template for entry in CATALOGUE.values())
