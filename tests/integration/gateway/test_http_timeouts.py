"""HTTP read timeouts and the connection cap (edge/timeouts.py), on a server started with short
limits: a connection that never finishes its request is answered 408 and closed, and connections
past the cap make room by closing idle ones."""

from __future__ import annotations

import socket

import pytest

from overcast.testing import OvercastServer

LIMITS = {"OVERCAST_HTTP_HEADER_TIMEOUT": "1", "OVERCAST_HTTP_BODY_TIMEOUT": "1",
          "OVERCAST_HTTP_MAX_CONNECTIONS": "8", "OVERCAST_TIME_SCALE": "1"}


#: a DynamoDB call: its body is read before anything is answered
JSON_CALL = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
             b"Content-Type: application/x-amz-json-1.0\r\n"
             b"Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
             b"SignedHeaders=host, Signature=0\r\n")


@pytest.fixture(scope="module")
def server():
    with OvercastServer(env=LIMITS) as server:
        yield server


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (the socket's timeout bounds it)."""
    chunks: list[bytes] = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


@pytest.mark.parametrize("sent", [
    b"",                                                     # connects, sends nothing
    b"GET /_overcast/hea",                                   # half a request line
    b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\nX-Slow: a",  # headers never finished
], ids=["nothing", "partial-line", "partial-headers"])
def test_request_not_sent_in_time_is_closed(server, sent):
    with connect(server) as sock:
        sock.sendall(sent)
        answer = read_all(sock)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize("head", [
    JSON_CALL + b"Content-Length: 100\r\n\r\n{\"only\": ",
    JSON_CALL + b"Content-Length: 10\r\nExpect: 100-continue\r\n\r\n",
], ids=["short-body", "expect-100-no-body"])
def test_body_that_stops_arriving_is_timed_out(server, head):
    with connect(server) as sock:
        sock.sendall(head)
        answer = read_all(sock)
    assert b"HTTP/1.1 408 " in answer


def test_slow_sender_gains_nothing_by_trickling(server):
    """One header byte every 0.3 s keeps the connection busy, but the headers' deadline is counted
    from the request's first byte: it is closed all the same."""
    with connect(server) as sock:
        sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.3)
        answer = b""
        for _ in range(100):  # at most 30 s
            try:
                sock.sendall(b"X")
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            break
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 ")


def test_held_connections_do_not_stop_service_and_are_all_closed(server):
    held = [connect(server) for _ in range(6)]
    try:
        for sock in held:
            sock.sendall(JSON_CALL + b"Content-Length: 1000\r\n\r\n")
        sqs = server.client("sqs")
        assert "QueueUrl" in sqs.create_queue(QueueName="still-served")
        for sock in held:
            assert b"HTTP/1.1 408 " in read_all(sock)
    finally:
        for sock in held:
            sock.close()


def test_idle_connections_make_room_past_the_cap(server):
    """Eight keep-alive connections sit idle after a request each; more connections still get
    answered, because idle ones are closed to make room."""
    idle = []
    try:
        for _ in range(8):
            sock = connect(server)
            sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            idle.append(sock)
        for _ in range(3):
            with connect(server) as sock:
                sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert read_all(sock).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in idle:
            sock.close()


def test_a_long_request_being_answered_is_not_timed_out(server):
    """Only reading a request is timed: a 3 s long poll outlives the 1 s limits."""
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName="long-poll")["QueueUrl"]
    answer = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=3)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_enormous_headers_are_refused(server):
    with connect(server) as sock:
        sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"a" * 100_000 + b"\r\n\r\n")
        assert read_all(sock).startswith(b"HTTP/1.1 431 ")
    with connect(server) as sock:  # 30 KB of headers are fine
        sock.sendall(b"GET /_overcast/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "
                     + b"a" * 30_000 + b"\r\n\r\n")
        assert read_all(sock).startswith(b"HTTP/1.1 200 ")
