"""Small rules of event source mappings: which partial batch responses mean success, and the
wake-up signal every poller waits on giving up its wait when cancelled (a lost cancellation left a
poller running after its mapping was deleted and held up the server's shutdown)."""

from __future__ import annotations

import asyncio

import pytest

from overcast.invocation.esm.responses import reported_failures
from overcast.platform import Signals


@pytest.mark.parametrize("payload", [b"[]", b'"done"', b"3", b"true", b"null", b"{}", b"",
                                     b'{"batchItemFailures": []}', b'{"batchItemFailures": null}'])
def test_responses_that_are_complete_success(payload):
    assert reported_failures(payload, ["m1"]) == set()


@pytest.mark.parametrize("payload", [b"not json", b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": "other"}]}',
                                     b'{"batchItemFailures": "m1"}'])
def test_responses_that_fail_the_whole_batch(payload):
    assert reported_failures(payload, ["m1"]) is None


def test_reported_items_are_the_failures():
    assert reported_failures(b'{"batchItemFailures": [{"itemIdentifier": "m2"}]}', ["m1", "m2"]) == {"m2"}


def test_a_wait_cancelled_as_it_is_notified_is_cancelled():
    async def scenario() -> bool:
        signals = Signals()
        waiter = asyncio.ensure_future(signals.wait("k", 30.0))
        await asyncio.sleep(0)          # the waiter is now waiting on "k"
        signals.notify("k")             # its wake-up and its cancellation land in the same loop turn
        waiter.cancel()
        try:
            await waiter
        except asyncio.CancelledError:
            return True
        return False

    assert asyncio.run(scenario()) is True


def test_a_wait_reports_notification_and_timeout():
    async def scenario() -> tuple[bool, bool]:
        signals = Signals()
        timed_out = await signals.wait("k", 0.01)
        waiter = asyncio.ensure_future(signals.wait("k", 30.0))
        await asyncio.sleep(0)
        signals.notify("k")
        return timed_out, await waiter

    assert asyncio.run(scenario()) == (False, True)
