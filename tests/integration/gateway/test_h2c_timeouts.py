"""HTTP/2 (h2c, prior knowledge) gets the HTTP/1.1 read deadlines and connection cap
(edge/h2_protocol.py): a head that never completes closes the connection with GOAWAY, a body that
stops arriving is answered 408 on its stream, and idle HTTP/2 connections make room past the cap.
Driven with the `h2` library as the client over a raw socket, on a server with 1-second limits."""

from __future__ import annotations

import socket

import h2.config
import h2.connection
import h2.events
import pytest

from overcast.testing import OvercastServer

LIMITS = {"OVERCAST_HTTP_HEADER_TIMEOUT": "1", "OVERCAST_HTTP_BODY_TIMEOUT": "1",
          "OVERCAST_HTTP_MAX_CONNECTIONS": "6", "OVERCAST_TIME_SCALE": "1"}

#: a DynamoDB call: its body is read whole before anything is answered
JSON_CALL = [(":method", "POST"), (":path", "/"), (":scheme", "http"), (":authority", "x"),
             ("x-amz-target", "DynamoDB_20120810.ListTables"), ("content-type", "application/x-amz-json-1.0"),
             ("authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
                               "SignedHeaders=host, Signature=0")]
HEALTH = [(":method", "GET"), (":path", "/_overcast/health"), (":scheme", "http"), (":authority", "x")]


@pytest.fixture(scope="module")
def server():
    with OvercastServer(env=LIMITS) as server:
        yield server


class Client:
    """One HTTP/2 connection with prior knowledge, spoken frame by frame."""

    def __init__(self, server) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()

    def flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def events(self) -> list:
        """Events until the server closes the connection (the socket's timeout bounds the wait)."""
        found: list = []
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return found
            if not data:
                return found
            found.extend(self.conn.receive_data(data))
            if any(isinstance(e, h2.events.StreamEnded | h2.events.StreamReset) for e in found):
                return found

    def close(self) -> None:
        self.sock.close()


def test_no_request_after_the_preface_is_closed_with_goaway(server):
    client = Client(server)
    try:
        events = client.events()
    finally:
        client.close()
    assert any(isinstance(e, h2.events.ConnectionTerminated) for e in events)


def test_a_header_block_that_never_completes_is_closed(server):
    """A HEADERS frame without END_HEADERS and no CONTINUATION: the head never completes."""
    client = Client(server)
    try:
        block = b"\x82\x86\x84\x41\x01x"  # HPACK: GET, http, /, :authority x
        frame = len(block).to_bytes(3, "big") + b"\x01" + b"\x00" + (1).to_bytes(4, "big") + block  # flags: none
        client.sock.sendall(frame)
        data = b""
        while chunk := client.sock.recv(65536):
            data += chunk
    finally:
        client.close()
    assert data, "the server closes the connection"  # its SETTINGS and a GOAWAY, then EOF


def test_a_body_that_stops_arriving_is_answered_408(server):
    client = Client(server)
    try:
        stream = client.conn.get_next_available_stream_id()
        client.conn.send_headers(stream, [*JSON_CALL, ("content-length", "100")])
        client.conn.send_data(stream, b'{"only": ')
        client.flush()
        events = client.events()
    finally:
        client.close()
    responses = [e for e in events if isinstance(e, h2.events.ResponseReceived)]
    assert responses and dict(responses[0].headers)[b":status"] == b"408"


def test_a_complete_request_is_answered_and_the_connection_kept(server):
    client = Client(server)
    try:
        stream = client.conn.get_next_available_stream_id()
        client.conn.send_headers(stream, HEALTH, end_stream=True)
        client.flush()
        events = client.events()
        assert dict(next(e for e in events if isinstance(e, h2.events.ResponseReceived)).headers)[b":status"] \
            == b"200"
    finally:
        client.close()


def closed(client: Client) -> bool:
    """Whether the server has closed this connection (already: its EOF is waiting to be read)."""
    client.sock.settimeout(0.2)
    try:
        while data := client.sock.recv(65536):
            if any(isinstance(e, h2.events.ConnectionTerminated) for e in client.conn.receive_data(data)):
                return True
        return True
    except (TimeoutError, ConnectionResetError) as exc:
        return isinstance(exc, ConnectionResetError)


def test_idle_h2_connections_make_room_past_the_cap(server):
    """Six HTTP/2 connections sit idle after a request each (the cap is 6): a new connection is still
    answered, because an idle one is closed to make room."""
    idle = []
    try:
        for _ in range(6):
            client = Client(server)
            stream = client.conn.get_next_available_stream_id()
            client.conn.send_headers(stream, HEALTH, end_stream=True)
            client.flush()
            assert any(isinstance(e, h2.events.ResponseReceived) for e in client.events())
            idle.append(client)
        fresh = Client(server)
        try:
            stream = fresh.conn.get_next_available_stream_id()
            fresh.conn.send_headers(stream, HEALTH, end_stream=True)
            fresh.flush()
            assert any(isinstance(e, h2.events.ResponseReceived) for e in fresh.events())
        finally:
            fresh.close()
        assert sum(closed(client) for client in idle) >= 1  # room was made by closing an idle one
    finally:
        for client in idle:
            client.close()


def test_control_frames_between_requests_do_not_start_a_header_deadline(server):
    """A PING after a request is not the start of a new request: the connection stays open past the
    1-second header deadline (only the 75-second keep-alive closes an idle one), and serves again."""
    client = Client(server)
    try:
        for _ in range(2):
            stream = client.conn.get_next_available_stream_id()
            client.conn.send_headers(stream, HEALTH, end_stream=True)
            client.flush()
            assert any(isinstance(e, h2.events.ResponseReceived) for e in client.events())
            client.conn.ping(b"12345678")
            client.flush()
            client.sock.settimeout(2.5)  # longer than the header deadline
            closed_early = False
            try:
                while data := client.sock.recv(65536):
                    events = client.conn.receive_data(data)
                    if any(isinstance(e, h2.events.ConnectionTerminated) for e in events):
                        closed_early = True
                        break
                else:
                    closed_early = True
            except TimeoutError:
                pass
            assert not closed_early
            client.sock.settimeout(30)
    finally:
        client.close()
