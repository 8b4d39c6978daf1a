"""Lambda's state transitions and error catalogue, as plain functions."""

from __future__ import annotations

from overcast.services.lambda_.catalogue import CATALOGUE, error, reword
from overcast.services.lambda_.states import (
    busy,
    content_hash,
    serving,
    settle,
    start_creating,
    start_updating,
)


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
    previous = {"State": "Active", "LastUpdateStatus": "Successful", "RevisionId": "r1", "Timeout": 3}
    config = {**previous, "Timeout": 9}
    start_updating(config, due=5.0, previous=previous)
    assert (config["LastUpdateStatus"], config["LastUpdateStatusReasonCode"]) == ("InProgress", "Creating")
    assert serving(config, 4.0)["Timeout"] == 3  # the last successful configuration serves meanwhile
    assert settle(config, 5.0)
    assert config["LastUpdateStatus"] == "Successful" and "LastUpdateStatusReason" not in config
    assert "_previous" not in config and serving(config, 5.0)["Timeout"] == 9


def test_content_hash_ignores_what_every_write_changes():
    base = {"Timeout": 3, "CodeSha256": "abc", "_code": "ff", "RevisionId": "a", "LastModified": "x", "State": "Active"}
    same = {**base, "RevisionId": "b", "LastModified": "y", "State": "Pending", "_settles": 1.0}
    assert content_hash(base) == content_hash(same)
    assert content_hash(base) != content_hash({**base, "Timeout": 4})
    assert content_hash(base) != content_hash({**base, "_code": "ee"})


def test_reword_follows_lambda():
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


def test_mapping_and_url_messages_live_in_the_catalogue():
    from pathlib import Path

    import overcast.services.lambda_ as package

    folder = Path(package.__file__).parent
    recorded = {
        "esm_invalid_filter": "Invalid filter pattern definition.",
        "esm_visibility": "Queue visibility timeout: {visibility} seconds is less than Function timeout: {timeout} "
                          "seconds",
        "url_function_missing": "Function does not exist",
        "url_resource_missing": "The resource you requested does not exist.",
    }
    for key, text in recorded.items():
        assert CATALOGUE[key].template == text
    assert CATALOGUE["esm_starting_position_null"].template.endswith("Member must not be null.")
    assert error("esm_duplicate_queue", arn="a", function="f", uuid="u").message == (
        'An event source mapping with SQS arn (" a ") and function (" f ") already exists. Please update or '
        "delete the existing mapping with UUID u")
    assert error("url_forbidden").status == 403
    sources = "".join((folder / f).read_text() for f in ("api_event_sources.py", "api_urls.py", "url_dataplane.py"))
    for fragment in ("Invalid filter pattern", "already exists", "Queue visibility timeout", "must not be null",
                     "Function does not exist", "does not exist.", "For troubleshooting", "Unsupported ",
                     "must be between", "Batching window", "cannot be updated", "must be provided"):
        assert fragment not in sources


def test_lambda_lists_enums_in_its_own_order():
    import botocore.session

    from overcast.protocol.validate import violations
    from overcast.services.lambda_ import SPEC

    model = botocore.session.get_session().get_service_model("lambda")
    shape = model.operation_model("PutFunctionRecursionConfig").input_shape
    found = violations(shape, {"FunctionName": "f", "RecursiveLoop": "Never"}, wording=SPEC.options.wording)
    assert found == ["Value 'Never' at 'recursiveLoop' failed to satisfy constraint: "
                     "Member must satisfy enum value set: [Terminate, Allow]"]


def test_what_makes_a_lambda_policy_statement_public():
    from overcast.services.lambda_.policy_rules import is_public

    allow = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn"}
    assert is_public({**allow, "Principal": "*"})
    assert is_public({**allow, "Principal": {"AWS": ["*"]}})
    assert not is_public({**allow, "Principal": {"Service": "s3.amazonaws.com"}})
    assert not is_public({**allow, "Principal": "*", "Condition": {"StringEquals": {"AWS:SourceAccount": "1"}}})
    assert is_public({**allow, "Principal": "*", "Condition": {"StringLike": {"AWS:SourceAccount": "1*"}}})
    assert is_public({**allow, "Principal": "*", "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}})
    assert not is_public({**allow, "Effect": "Deny", "Principal": "*"})
