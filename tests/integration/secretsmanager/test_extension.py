"""The Parameters and Secrets Lambda Extension's endpoint inside functions: code written for the
extension (HTTP to localhost:2773 with the session token) reads secrets and parameters."""

from __future__ import annotations

import json
import uuid

from overcast.testing import create_function

READER = '''
import json, os, urllib.request, urllib.error

def handler(event, context):
    port = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
    headers = {} if event.get("no_token") else {"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]}
    request = urllib.request.Request("http://localhost:%s%s" % (port, event["path"]), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return {"status": response.status, "body": json.loads(response.read())}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "text": error.read().decode()}
'''


def _call(lam, name, **event):
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def test_secret_and_parameter_through_the_extension(overcast_server):
    sm, ssm, lam = (overcast_server.client(s) for s in ("secretsmanager", "ssm", "lambda"))
    secret, parameter = f"ext-{uuid.uuid4().hex[:8]}", f"/ext/{uuid.uuid4().hex[:8]}"
    arn = sm.create_secret(Name=secret, SecretString='{"password":"p1"}')["ARN"]
    ssm.put_parameter(Name=parameter, Value="blue", Type="String")
    name = create_function(lam, READER, Timeout=60)
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


def test_errors_and_cache_off(overcast_server):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    secret = f"ext-{uuid.uuid4().hex[:8]}"
    sm.create_secret(Name=secret, SecretString="v1")
    name = create_function(lam, READER, Timeout=60,
                           Environment={"Variables": {"PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED": "false"}})
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}", no_token=True)["status"] == 401
    missing = _call(lam, name, path="/secretsmanager/get?secretId=does-not-exist")
    assert missing["status"] == 400 and "ResourceNotFoundException" in missing["text"]
    assert _call(lam, name, path="/secretsmanager/get")["status"] == 400
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")["body"]["SecretString"] == "v1"
    sm.put_secret_value(SecretId=secret, SecretString="v2")
    assert _call(lam, name, path=f"/secretsmanager/get?secretId={secret}")["body"]["SecretString"] == "v2"
