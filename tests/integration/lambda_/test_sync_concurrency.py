"""Concurrent synchronous invocations reuse warm environments without losing an invocation: a
reused environment whose runtime has not yet asked for /next must still get the next event."""

from __future__ import annotations

import concurrent.futures as cf

from overcast.testing import create_function


def test_back_to_back_invocations_on_reused_environments(lam):
    name = create_function(lam, "def handler(event, context):\n    return event['i']\n", Timeout=5)
    lam.invoke(FunctionName=name, Payload=b'{"i": -1}')

    def one(i):
        response = lam.invoke(FunctionName=name, Payload=f'{{"i": {i}}}'.encode())
        return response.get("FunctionError"), response["Payload"].read()

    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(160)))
    assert [r[0] for r in results] == [None] * 160  # none timed out (that would be a function error)
    assert [int(r[1]) for r in results] == list(range(160))
