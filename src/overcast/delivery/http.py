"""One outgoing HTTP request for a delivery (SNS's HTTP/S subscribers, EventBridge's API destinations
and API Gateway targets), made in a worker thread by the caller."""

from __future__ import annotations

import urllib.error
import urllib.request

#: the status of a request that could not be made (no connection, timeout, bad URL)
UNREACHABLE = 599


def send(url: str, method: str, headers: dict[str, str], body: bytes | None, timeout: float) -> tuple[int, bytes]:
    """The answer's status and body; `UNREACHABLE` and the reason when there was no answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        return UNREACHABLE, str(error).encode()
