"""Connections and API destinations on a real server: the control plane as AWS answers it, and rules
delivering to a local HTTP endpoint with each kind of authorization, retries and a dead-letter queue."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.events.helpers import unique, wait_for


class Endpoint:
    """A local HTTP server recording requests; answers the statuses queued in `answers` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.token_requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # cleared: token requests wait until it is set again
        self.release.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = {"method": self.command, "path": self.path, "headers": self.headers, "body": body}
                if self.path.startswith("/oauth"):
                    outer.token_requests.append(seen)
                    outer.release.wait(30)
                    answer = json.dumps({"access_token": "tok-1", "expires_in": 3600}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                outer.requests.append(seen)
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def events(overcast_server):
    return overcast_server.client("events")


BASIC = {"BasicAuthParameters": {"Username": "user", "Password": "secret-pw"}}


def test_connection_lifecycle_hides_secrets(events):
    name = unique("conn")
    auth = {**BASIC, "InvocationHttpParameters": {"HeaderParameters": [
        {"Key": "x-visible", "Value": "v", "IsValueSecret": False},
        {"Key": "x-hidden", "Value": "h", "IsValueSecret": True}]}}
    created = events.create_connection(Name=name, AuthorizationType="BASIC", AuthParameters=auth)
    assert created["ConnectionState"] == "AUTHORIZED"
    assert created["ConnectionArn"].startswith(f"arn:aws:events:us-east-1:{_account(created)}:connection/{name}/")
    described = events.describe_connection(Name=name)
    assert described["AuthParameters"]["BasicAuthParameters"] == {"Username": "user"}
    headers = described["AuthParameters"]["InvocationHttpParameters"]["HeaderParameters"]
    assert headers == [{"Key": "x-visible", "Value": "v", "IsValueSecret": False},
                       {"Key": "x-hidden", "IsValueSecret": True}]
    assert ":secretsmanager:" in described["SecretArn"] and f"events!connection/{name}/" in described["SecretArn"]
    assert [c["Name"] for c in events.list_connections(NamePrefix=name)["Connections"]] == [name]
    with pytest.raises(ClientError) as exists:
        events.create_connection(Name=name, AuthorizationType="BASIC", AuthParameters=BASIC)
    assert exists.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    assert events.deauthorize_connection(Name=name)["ConnectionState"] == "DEAUTHORIZING"
    wait_for(lambda: events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED",
             what="the connection to be deauthorized")
    assert events.delete_connection(Name=name)["ConnectionState"] == "DELETING"
    with pytest.raises(ClientError) as missing:
        events.describe_connection(Name=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert missing.value.response["Error"]["Message"] == (
        f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def _account(created: dict[str, Any]) -> str:
    return created["ConnectionArn"].split(":")[4]


def test_api_destination_lifecycle(events):
    connection = events.create_connection(Name=unique("conn"), AuthorizationType="BASIC",
                                          AuthParameters=BASIC)["ConnectionArn"]
    name = unique("dest")
    created = events.create_api_destination(Name=name, ConnectionArn=connection,
                                            InvocationEndpoint="https://example.com/hook", HttpMethod="POST")
    assert created["ApiDestinationState"] == "ACTIVE"
    assert f":api-destination/{name}/" in created["ApiDestinationArn"]
    described = events.describe_api_destination(Name=name)
    assert described["InvocationRateLimitPerSecond"] == 300  # AWS's default
    events.update_api_destination(Name=name, InvocationRateLimitPerSecond=10, HttpMethod="PUT")
    described = events.describe_api_destination(Name=name)
    assert (described["InvocationRateLimitPerSecond"], described["HttpMethod"]) == (10, "PUT")
    listed = events.list_api_destinations(ConnectionArn=connection)["ApiDestinations"]
    assert [d["Name"] for d in listed] == [name]
    events.delete_api_destination(Name=name)
    with pytest.raises(ClientError) as missing:
        events.describe_api_destination(Name=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def _rule_to(events, destination_arn: str, **target: Any) -> tuple[str, str]:
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    rule = unique("rule")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "t", "Arn": destination_arn, **target}])
    return bus, rule


def _destination(events, endpoint: Endpoint, auth_type: str, auth: dict[str, Any], path: str = "/hook/*",
                 method: str = "POST") -> str:
    connection = events.create_connection(Name=unique("conn"), AuthorizationType=auth_type,
                                          AuthParameters=auth)["ConnectionArn"]
    return events.create_api_destination(Name=unique("dest"), ConnectionArn=connection, HttpMethod=method,
                                         InvocationEndpoint=endpoint.url + path)["ApiDestinationArn"]


def _put(events, bus: str) -> None:
    entry = {"Source": "app", "DetailType": "t", "Detail": json.dumps({"n": 1}), "EventBusName": bus}
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0


def test_basic_auth_delivery_with_parameters(events, endpoint):
    auth = {**BASIC, "InvocationHttpParameters": {
        "HeaderParameters": [{"Key": "x-conn", "Value": "c", "IsValueSecret": True}],
        "QueryStringParameters": [{"Key": "q", "Value": "1", "IsValueSecret": False}]}}
    arn = _destination(events, endpoint, "BASIC", auth)
    bus, _ = _rule_to(events, arn, HttpParameters={"PathParameterValues": ["orders"],
                                                    "HeaderParameters": {"x-target": "t"}})
    _put(events, bus)
    wait_for(lambda: endpoint.requests, what="an HTTP request")
    seen = endpoint.requests[0]
    assert seen["method"] == "POST"
    assert seen["path"] == "/hook/orders?q=1"
    assert seen["headers"]["Authorization"] == "Basic " + base64.b64encode(b"user:secret-pw").decode()
    assert seen["headers"]["x-conn"] == "c" and seen["headers"]["x-target"] == "t"
    assert seen["headers"]["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(seen["body"])
    assert body["source"] == "app" and body["detail"] == {"n": 1}


def test_api_key_auth_and_retry_after_5xx(events, endpoint):
    arn = _destination(events, endpoint, "API_KEY", {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key",
                                                                              "ApiKeyValue": "k1"}}, path="/k")
    bus, _ = _rule_to(events, arn, RetryPolicy={"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 60})
    endpoint.answers = [503]
    _put(events, bus)
    wait_for(lambda: len(endpoint.requests) >= 2, what="a retried request")
    assert all(r["headers"]["x-api-key"] == "k1" for r in endpoint.requests)


def test_oauth_client_credentials(events, endpoint):
    auth = {"OAuthParameters": {"ClientParameters": {"ClientID": "cid", "ClientSecret": "csecret"},
                                "AuthorizationEndpoint": endpoint.url + "/oauth/token", "HttpMethod": "POST",
                                "OAuthHttpParameters": {"BodyParameters": [
                                    {"Key": "grant_type", "Value": "client_credentials", "IsValueSecret": False}]}}}
    arn = _destination(events, endpoint, "OAUTH_CLIENT_CREDENTIALS", auth, path="/o")
    connection_name = events.describe_api_destination(Name=arn.split("/")[1])["ConnectionArn"].split("/")[1]
    wait_for(lambda: events.describe_connection(Name=connection_name)["ConnectionState"] == "AUTHORIZED",
             what="the OAuth connection to be authorized")
    bus, _ = _rule_to(events, arn)
    _put(events, bus)
    _put(events, bus)
    wait_for(lambda: len(endpoint.requests) >= 2, what="two requests")
    assert len(endpoint.token_requests) == 1  # the token is cached until it expires
    token = endpoint.token_requests[0]
    assert token["headers"]["Authorization"] == "Basic " + base64.b64encode(b"cid:csecret").decode()
    assert token["body"] == b"grant_type=client_credentials"
    assert all(r["headers"]["Authorization"] == "Bearer tok-1" for r in endpoint.requests)
    connection = events.describe_api_destination(Name=arn.split("/")[1])["ConnectionArn"]
    described = events.describe_connection(Name=connection.split("/")[1])
    assert described["AuthParameters"]["OAuthParameters"]["ClientParameters"] == {"ClientID": "cid"}


def test_client_error_goes_to_dead_letter_queue(overcast_server, events, endpoint):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = _destination(events, endpoint, "BASIC", BASIC, path="/bad")
    bus, _ = _rule_to(events, arn, DeadLetterConfig={"Arn": dlq})
    endpoint.answers = [400]
    _put(events, bus)

    def dead() -> list[Any]:
        return sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])

    message = wait_for(dead, what="the dead-letter message")[0]
    assert len(endpoint.requests) == 1  # a 400 is not retried
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"] == arn
    assert json.loads(message["Body"])["source"] == "app"


def _states(events, connection: str, destination: str) -> tuple[str, str]:
    return (events.describe_connection(Name=connection)["ConnectionState"],
            events.describe_api_destination(Name=destination)["ApiDestinationState"])


def test_oauth_connection_states(events, endpoint):
    auth = {"OAuthParameters": {"ClientParameters": {"ClientID": "cid", "ClientSecret": "cs"},
                                "AuthorizationEndpoint": endpoint.url + "/oauth/token", "HttpMethod": "POST"}}
    name = unique("conn")
    endpoint.release.clear()  # the authorization endpoint answers only when the test says so
    created = events.create_connection(Name=name, AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=auth)
    assert created["ConnectionState"] == "AUTHORIZING"
    destination = unique("dest")
    made = events.create_api_destination(Name=destination, ConnectionArn=created["ConnectionArn"],
                                         InvocationEndpoint=endpoint.url + "/x", HttpMethod="POST")
    assert made["ApiDestinationState"] == "INACTIVE"  # as AWS records it while the connection authorizes
    described = events.describe_connection(Name=name)
    assert described["ConnectionState"] == "AUTHORIZING" and "LastAuthorizedTime" in described
    endpoint.release.set()
    wait_for(lambda: _states(events, name, destination) == ("AUTHORIZED", "ACTIVE"), what="AUTHORIZED")
    assert len(endpoint.token_requests) == 1
    authorized = events.describe_connection(Name=name)
    assert authorized["LastAuthorizedTime"] >= described["LastAuthorizedTime"] and "StateReason" not in authorized
    # deauthorizing: DEAUTHORIZING, then DEAUTHORIZED; the destination goes INACTIVE
    gone = events.deauthorize_connection(Name=name)
    assert gone["ConnectionState"] == "DEAUTHORIZING" and gone["LastModifiedTime"] >= authorized["LastModifiedTime"]
    wait_for(lambda: _states(events, name, destination) == ("DEAUTHORIZED", "INACTIVE"), what="DEAUTHORIZED")
    # updating authorizes again (a new token call)
    assert events.update_connection(Name=name, AuthParameters={"OAuthParameters": {
        "ClientParameters": {"ClientID": "cid2", "ClientSecret": "cs2"}}})["ConnectionState"] == "AUTHORIZING"
    wait_for(lambda: _states(events, name, destination) == ("AUTHORIZED", "ACTIVE"), what="re-AUTHORIZED")
    assert endpoint.token_requests[-1]["headers"]["Authorization"] == "Basic " + base64.b64encode(
        b"cid2:cs2").decode()


def test_failed_oauth_authorization_deauthorizes(events, endpoint):
    auth = {"OAuthParameters": {"ClientParameters": {"ClientID": "cid", "ClientSecret": "cs"},
                                "AuthorizationEndpoint": endpoint.url + "/nothing-here", "HttpMethod": "POST"}}
    name = unique("conn")
    events.create_connection(Name=name, AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=auth)
    wait_for(lambda: events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED",
             what="the failed authorization")
    described = events.describe_connection(Name=name)
    assert "without an access_token" in described["StateReason"]
    listed = events.list_connections(NamePrefix=name)["Connections"][0]
    assert listed["ConnectionState"] == "DEAUTHORIZED" and listed["StateReason"] == described["StateReason"]
    assert [c["Name"] for c in events.list_connections(NamePrefix=name, ConnectionState="DEAUTHORIZED")[
        "Connections"]] == [name]


def test_delivery_through_a_deauthorized_connection_fails(overcast_server, events, endpoint):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = _destination(events, endpoint, "BASIC", BASIC, path="/never")
    name = events.describe_api_destination(Name=arn.split("/")[1])["ConnectionArn"].split("/")[1]
    events.deauthorize_connection(Name=name)
    wait_for(lambda: events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED", what="DEAUTHORIZED")
    bus, _ = _rule_to(events, arn, DeadLetterConfig={"Arn": dlq})
    _put(events, bus)

    def dead() -> list[Any]:
        return sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], WaitTimeSeconds=1).get("Messages", [])

    message = wait_for(dead, what="the dead-letter message")[0]
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"] == arn
    assert endpoint.requests == []
    # a Basic connection is AUTHORIZED again by UpdateConnection, at once
    assert events.update_connection(Name=name, AuthParameters=BASIC)["ConnectionState"] == "AUTHORIZED"


def test_401_deauthorizes_a_basic_connection(overcast_server, events, endpoint):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = _destination(events, endpoint, "BASIC", BASIC, path="/auth")
    destination = arn.split("/")[1]
    name = events.describe_api_destination(Name=destination)["ConnectionArn"].split("/")[1]
    bus, _ = _rule_to(events, arn, DeadLetterConfig={"Arn": dlq},
                      RetryPolicy={"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 600})
    endpoint.answers = [401]
    _put(events, bus)
    wait_for(lambda: _states(events, name, destination) == ("DEAUTHORIZED", "INACTIVE"), what="DEAUTHORIZED")
    assert "answered 401" in events.describe_connection(Name=name)["StateReason"]
    wait_for(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"), what="the dead letter")
    assert len(endpoint.requests) == 1  # the retry met a de-authorized connection: no second request
