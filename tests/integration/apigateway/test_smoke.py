import json

from tests.integration.apigateway.helpers import rest_proxy_api


def test_rest_proxy_roundtrip(apigw, lam, http):
    api_id, _ = rest_proxy_api(apigw, lam)
    r = http.get(f"/restapis/{api_id}/test/_user_request_/hello/world?a=1&a=2&b=x", headers={"X-Thing": "v"})
    assert r.status_code == 200, r.text
    event = r.json()["event"]
    print(json.dumps(event, indent=1))
    assert event["path"] == "/hello/world"
    assert event["resource"] == "/{proxy+}"
