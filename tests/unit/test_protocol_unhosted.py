"""Which service a request for an unhosted service is for, from botocore's models alone, and the
error each protocol answers with."""

import json

import cbor2

from overcast.edge.messages import Headers, Request
from overcast.protocol import unhosted

HOSTED = {"s3", "sqs", "lambda", "dynamodb", "elbv2", "events", "sts", "iam", "logs"}


def request(method="POST", path="/", headers=(), body=b""):
    return Request(method, path, headers=Headers(list(headers)), body=body)


def test_identified_by_target_prefix():
    req = request(headers=[("X-Amz-Target", "AWSStepFunctions.StartExecution")])
    assert unhosted.identify(req, None, HOSTED) == "stepfunctions"
    req = request(headers=[("X-Amz-Target", "TrentService.Encrypt")])
    assert unhosted.identify(req, "kms", HOSTED) == "kms"
    req = request(headers=[("X-Amz-Target", "AmazonSQS.SendMessage")])
    assert unhosted.identify(req, "sqs", HOSTED) is None  # hosted: routed as usual


def test_identified_by_cbor_path_and_signing_name():
    req = request(path="/service/GraniteServiceVersion20100801/operation/ListMetrics",
                  headers=[("smithy-protocol", "rpc-v2-cbor"), ("Content-Type", "application/cbor")])
    assert unhosted.identify(req, "monitoring", HOSTED) == "cloudwatch"
    assert unhosted.rpc_service(req) == "GraniteServiceVersion20100801"
    assert unhosted.rpc_service(request(path="/service/X/operation/Y")) is None  # not CBOR
    assert unhosted.identify(request(path="/2015-01-01/es/domain"), "es", HOSTED) in ("es", "opensearch")
    assert unhosted.identify(request(method="GET", path="/2013-04-01/hostedzone"), "route53", HOSTED) == "route53"


def test_services_sharing_a_signing_name_told_apart_by_request_shape():
    form = [("Content-Type", "application/x-www-form-urlencoded")]
    assert unhosted.identify(request(headers=form, body=b"Action=ListIdentities"), "ses", HOSTED) == "ses"
    assert unhosted.identify(request(path="/v2/email/list-identities"), "ses", HOSTED) == "sesv2"
    assert unhosted.identify(request(method="GET", path="/v1/email/identities"), "ses", HOSTED) == "pinpoint-email"
    # a signing name shared with a hosted service (classic ELB and elbv2) is left to the usual routing
    assert unhosted.identify(request(headers=form), "elasticloadbalancing", HOSTED) is None
    assert unhosted.identify(request(), "no-such-service", HOSTED) is None


def test_answers_in_each_protocol():
    hosted = sorted(HOSTED)
    json_req = request(headers=[("X-Amz-Target", "AWSStepFunctions.ListStateMachines"),
                                ("Content-Type", "application/x-amz-json-1.0")])
    response = unhosted.answer("stepfunctions", json_req, hosted, "rid")
    assert response.status == 400 and response.header("content-type") == "application/x-amz-json-1.0"
    body = json.loads(response.body)  # type: ignore[arg-type]
    assert body["__type"] == "UnknownOperationException"
    assert body["message"].startswith("overcast does not host AWS Step Functions (stepfunctions); the services it "
                                      "hosts are: dynamodb, elbv2, events, iam, lambda, logs, s3, sqs, sts")
    cbor_req = request(path="/service/GraniteServiceVersion20100801/operation/ListMetrics",
                       headers=[("smithy-protocol", "rpc-v2-cbor")])
    response = unhosted.answer("cloudwatch", cbor_req, hosted, "rid")
    assert response.header("smithy-protocol") == "rpc-v2-cbor"
    assert cbor2.loads(response.body)["__type"] == "UnknownOperationException"  # type: ignore[arg-type]
    ec2_req = request(headers=[("Content-Type", "application/x-www-form-urlencoded")], body=b"Action=DescribeVpcs")
    response = unhosted.answer("ec2", ec2_req, hosted, "rid")
    text = response.body.decode()  # type: ignore[union-attr]
    assert "<Response><Errors><Error><Code>InvalidAction</Code>" in text and "<RequestID>rid</RequestID>" in text
    response = unhosted.answer("sesv2", request(method="GET", path="/v2/email/identities"), hosted, "rid")
    assert response.status == 404 and response.header("x-amzn-ErrorType") == "UnknownOperationException"
    response = unhosted.answer("route53", request(method="GET", path="/2013-04-01/hostedzone"), hosted, "rid")
    assert response.status == 404 and b"<Code>UnknownOperationException</Code>" in response.body  # type: ignore[operator]
