"""The Parameters and Secrets Lambda Extension's endpoint inside functions: code written for the
extension (HTTP to localhost:2773 with the session token) reads secrets and parameters."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from overcast.execution import sandbox
from overcast.testing import OvercastServer, create_function
from overcast.testing.server import free_port
from tests.integration.lambda_.polyglot import needs_node

READER = '''
import json, os, urllib.request, urllib.error

def handler(event, context):
    if event.get("resolve"):
        return {"address": __import__("socket").gethostbyname("localhost")}
    port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    headers = {} if event.get("no_token") else {"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]}
    request = urllib.request.Request("http://localhost:%s%s" % (port, event["path"]), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return {"status": response.status, "body": json.loads(response.read())}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "text": error.read().decode()}
'''


def _private_possible() -> bool:
    return os.environ.get("OVERCAST_SANDBOX", "").lower() not in ("paths", "off", "0") and sandbox.probe() is None


@pytest.fixture(scope="module")
def port_env() -> dict[str, str]:
    """Servers running in parallel share 127.0.0.1 (unless OVERCAST_LOCALHOST=private gives each its
    own `localhost`), so each test function asks for a free port with the extension's variable."""
    if os.environ.get("OVERCAST_LOCALHOST") == "private" and _private_possible():
        return {}
    return {"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(free_port())}


READER_JS = """
exports.handler = async (event) => {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || "2773";
  const response = await fetch(`http://localhost:${port}${event.path}`,
                               {headers: {"X-Aws-Parameters-Secrets-Token": process.env.AWS_SESSION_TOKEN}});
  return {status: response.status, body: await response.json()};
};
"""


def _call(lam, name, **event):
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def test_secret_and_parameter_through_the_extension(overcast_server, port_env):
    sm, ssm, lam = (overcast_server.client(s) for s in ("secretsmanager", "ssm", "lambda"))
    secret, parameter = f"ext-{uuid.uuid4().hex[:8]}", f"/ext/{uuid.uuid4().hex[:8]}"
    arn = sm.create_secret(Name=secret, SecretString='{"password":"p1"}')["ARN"]
    ssm.put_parameter(Name=parameter, Value="blue", Type="String")
    name = create_function(lam, READER, Timeout=60, Environment={"Variables": port_env})
    got = _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")
    assert got["status"] == 200
    body = got["body"]
    assert (body["ARN"], body["Name"], body["SecretString"], body["VersionStages"]) == (
        arn, secret, '{"password":"p1"}', ["AWSCURRENT"])
    assert body["CreatedDate"].endswith("Z") and "ResultMetadata" in body
    got = _call(lam, name, path=f"/systemsmanager/parameters/get?name={parameter}")
    assert got["status"] == 200
    assert (got["body"]["Parameter"]["Name"], got["body"]["Parameter"]["Value"]) == (parameter, "blue")
    # cached for SECRETS_MANAGER_TTL (300 s by default): a new value is not seen yet
    sm.put_secret_value(SecretId=secret, SecretString='{"password":"p2"}')
    cached = _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")
    assert cached["body"]["SecretString"] == '{"password":"p1"}'
    previous = _call(lam, name, path=f"/secretsmanager/get?secretId={secret}&versionStage=AWSPREVIOUS")
    assert previous["body"]["SecretString"] == '{"password":"p1"}'


def test_errors_and_cache_off(overcast_server, port_env):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    secret = f"ext-{uuid.uuid4().hex[:8]}"
    sm.create_secret(Name=secret, SecretString="v1")
    name = create_function(lam, READER, Timeout=60,
                           Environment={"Variables": {"PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED": "false", **port_env}})
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}", no_token=True)["status"] == 401
    missing = _call(lam, name, path="/secretsmanager/get?secretId=does-not-exist")
    assert missing["status"] == 400 and "ResourceNotFoundException" in missing["text"]
    assert _call(lam, name, path="/secretsmanager/get")["status"] == 400
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")["body"]["SecretString"] == "v1"
    sm.put_secret_value(SecretId=secret, SecretString="v2")
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")["body"]["SecretString"] == "v2"


@needs_node
def test_node_function_reads_a_secret(overcast_server, port_env):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    secret = f"ext-{uuid.uuid4().hex[:8]}"
    sm.create_secret(Name=secret, SecretString="from-node")
    name = create_function(lam, READER_JS, runtime="nodejs22.x", Timeout=60,
                           Environment={"Variables": port_env})
    got = _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")
    assert (got["status"], got["body"]["SecretString"]) == (200, "from-node")


@pytest.mark.skipif(not _private_possible(), reason="environments get no mount namespace on this machine")
def test_private_localhost_serves_the_default_port(tmp_path):
    """OVERCAST_LOCALHOST=private: the function's `localhost` is its server's own loopback address,
    so `localhost:2773` works whatever other overcasts run."""
    with OvercastServer(tmp_path / "data", env={"OVERCAST_LOCALHOST": "private"}) as server:
        sm, lam = server.client("secretsmanager"), server.client("lambda")
        sm.create_secret(Name="private", SecretString="mine")
        name = create_function(lam, READER, Timeout=60)
        got = _call(lam, name, path="/secretsmanager/get?secretId=private")
        assert (got["status"], got["body"]["SecretString"]) == (200, "mine")
        assert _call(lam, name, resolve=True)["address"] != "127.0.0.1"
