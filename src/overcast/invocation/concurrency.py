"""Concurrency: how many invocations of a function, and of an account's unreserved pool, may run at
once (docs/aws-behaviour.md#concurrency-and-throttling). A function with reserved concurrency R runs at most R at a time (R = 0 throttles
everything); functions without a reservation share what the account's quota leaves unreserved."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"


@dataclass(frozen=True)
class Slot:
    account: str
    region: str
    function: str
    reserved: bool


class ConcurrencyGate:
    def __init__(self, account_limit: int) -> None:
        self.account_limit = account_limit
        self._per_function: Counter[tuple[str, str, str]] = Counter()
        self._unreserved: Counter[tuple[str, str]] = Counter()

    def in_flight(self, account: str, region: str, function: str) -> int:
        return self._per_function[(account, region, function)]

    def unreserved_in_flight(self, account: str, region: str) -> int:
        return self._unreserved[(account, region)]

    def account_in_flight(self, account: str, region: str) -> int:
        return sum(n for (a, r, _), n in self._per_function.items() if a == account and r == region)

    def acquire(self, account: str, region: str, function: str, reserved: int | None,
                total_reserved: int) -> Slot | str:
        """A slot, or the throttle reason when none is free."""
        key = (account, region, function)
        if reserved is not None:
            if self._per_function[key] >= reserved:
                return RESERVED_EXCEEDED
            self._per_function[key] += 1
            return Slot(account, region, function, True)
        pool = max(0, self.account_limit - total_reserved)
        if self._unreserved[(account, region)] >= pool:
            return ACCOUNT_EXCEEDED
        self._per_function[key] += 1
        self._unreserved[(account, region)] += 1
        return Slot(account, region, function, False)

    def release(self, slot: Slot) -> None:
        key = (slot.account, slot.region, slot.function)
        self._per_function[key] -= 1
        if self._per_function[key] <= 0:
            del self._per_function[key]
        if not slot.reserved:
            pool_key = (slot.account, slot.region)
            self._unreserved[pool_key] -= 1
            if self._unreserved[pool_key] <= 0:
                del self._unreserved[pool_key]
