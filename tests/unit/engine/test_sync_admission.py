"""What a synchronous invocation must pass before it runs: Lambda's checks on the payload and the
concurrency gate (a function's reservation, the account's unreserved pool, AWS's throttle reasons)."""

from __future__ import annotations

import pytest

from overcast.invocation.concurrency import ACCOUNT_EXCEEDED, RESERVED_EXCEEDED, ConcurrencyGate, Slot
from overcast.invocation.sync import check_payload
from overcast.services.lambda_.errors import LambdaError

A, R = "111111111111", "us-east-1"


def test_a_payload_at_the_limit_passes_and_one_byte_more_is_413():
    limit = 6_291_456
    at_limit = b'"' + b"x" * (limit - 2) + b'"'
    assert check_payload(at_limit, limit, "RequestResponse") == at_limit
    with pytest.raises(LambdaError) as info:
        check_payload(at_limit + b" ", limit, "RequestResponse")
    assert (info.value.status, info.value.code) == (413, "RequestEntityTooLargeException")
    assert info.value.message == ("6291457 byte payload is too large for the RequestResponse invocation type "
                                  "(limit 6291456 bytes)")


def test_an_event_payload_names_its_invocation_type():
    with pytest.raises(LambdaError, match="too large for the Event invocation type"):
        check_payload(b"1" * 11, 10, "Event")


@pytest.mark.parametrize("body", [None, b"", b"  \n"])
def test_an_empty_body_is_the_empty_event(body):
    assert check_payload(body, 100, "RequestResponse") == b"{}"


def test_a_body_that_is_not_json_is_refused():
    with pytest.raises(LambdaError) as info:
        check_payload(b"value", 100, "RequestResponse")
    assert (info.value.status, info.value.code) == (400, "InvalidRequestContentException")
    assert info.value.message.startswith("Could not parse request body into json")


def test_a_reservation_caps_the_function():
    gate = ConcurrencyGate(account_limit=1000)
    first = gate.acquire(A, R, "f", reserved=1, total_reserved=1)
    assert isinstance(first, Slot)
    assert gate.acquire(A, R, "f", reserved=1, total_reserved=1) == RESERVED_EXCEEDED
    gate.release(first)
    assert isinstance(gate.acquire(A, R, "f", reserved=1, total_reserved=1), Slot)


def test_a_reservation_of_zero_throttles_everything():
    gate = ConcurrencyGate(account_limit=1000)
    assert gate.acquire(A, R, "off", reserved=0, total_reserved=0) == RESERVED_EXCEEDED


def test_functions_without_a_reservation_share_what_is_left_unreserved():
    gate = ConcurrencyGate(account_limit=3)
    slots = [gate.acquire(A, R, name, reserved=None, total_reserved=1) for name in ("f", "g")]
    assert all(isinstance(s, Slot) for s in slots)
    assert gate.acquire(A, R, "h", reserved=None, total_reserved=1) == ACCOUNT_EXCEEDED  # 3 - 1 reserved = 2
    assert isinstance(gate.acquire(A, "eu-west-1", "h", reserved=None, total_reserved=0), Slot)  # per region
    assert isinstance(gate.acquire("222222222222", R, "h", reserved=None, total_reserved=0), Slot)  # per account
    assert gate.in_flight(A, R, "f") == 1
    gate.release(slots[0])  # type: ignore[arg-type]
    assert gate.in_flight(A, R, "f") == 0
    assert isinstance(gate.acquire(A, R, "h", reserved=None, total_reserved=1), Slot)


def test_reserved_invocations_do_not_use_the_unreserved_pool():
    gate = ConcurrencyGate(account_limit=2)
    reserved = [gate.acquire(A, R, "r", reserved=5, total_reserved=1) for _ in range(3)]
    assert all(isinstance(s, Slot) for s in reserved)
    assert isinstance(gate.acquire(A, R, "u", reserved=None, total_reserved=1), Slot)
    assert gate.acquire(A, R, "u", reserved=None, total_reserved=1) == ACCOUNT_EXCEEDED
