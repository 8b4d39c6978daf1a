"""Regression tests for what the wire fuzzer (bench/fuzz.py) found: each request as the fuzzer sent
it, and the AWS-shaped 4xx botocore reads instead of the 500 or unreadable answer it got. The
findings and their fixes are listed in docs/reliability.md."""

from __future__ import annotations

import json

import botocore.parsers
import pytest
from bench import fuzz

from tests.integration.gateway.test_hostile_input import json_call, query_call, send


def parsed_error(server, service: str, operation: str, answer) -> dict:
    """The error botocore's parser reads from an answer (the fuzzer's oracle)."""
    model = fuzz.service_model(service)
    op = model.operation_model(operation)
    assert fuzz.judge(model, op, "none", fuzz.Answer(answer[0], answer[1], answer[2])) is None, answer
    parser = botocore.parsers.create_parser(model.metadata["protocol"])
    return parser.parse({"status_code": answer[0], "headers": answer[1], "body": answer[2]}, None)["Error"]


def rest_call(server, service: str, method: str, path: str, body: bytes, content_type: str = "application/json"):
    return send(server, method, path, body, {
        "Content-Type": content_type,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
                         "SignedHeaders=host, Signature=0"})


def test_dynamodb_create_global_table_without_replicas(overcast_server):
    answer = json_call(overcast_server, "dynamodb", "DynamoDB_20120810.CreateGlobalTable",
                       b'{"GlobalTableName": "aaa", "ReplicationGroup": []}')
    assert answer[0] == 400
    assert parsed_error(overcast_server, "dynamodb", "CreateGlobalTable", answer)["Code"] == "ValidationException"


def test_api_gateway_import_of_bytes_that_are_not_text(overcast_server):
    answer = rest_call(overcast_server, "apigateway", "POST", "/restapis?mode=import", b">\x8aW@v")
    assert answer[0] == 400
    assert parsed_error(overcast_server, "apigateway", "ImportRestApi", answer)["Code"] == "BadRequestException"


def test_api_gateway_api_key_with_an_incomplete_stage_key(overcast_server):
    body = json.dumps({"name": "k", "stageKeys": [{}, {"restApiId": "2"}]}).encode()
    answer = rest_call(overcast_server, "apigateway", "POST", "/apikeys", body)
    assert answer[0] == 400
    assert parsed_error(overcast_server, "apigateway", "CreateApiKey", answer)["Code"] == "BadRequestException"


def test_sesv2_path_no_route_fits_answers_in_rest_json(overcast_server):
    """SES and SES v2 share a signing name: a v2 path no v2 route fits (an empty last label) is
    answered by SES v2 in its own protocol, not by SES's query API in XML."""
    answer = rest_call(overcast_server, "ses", "PUT", "/v2/email/configuration-sets/cs/event-destinations/",
                       b'{"EventDestination": {}}')
    assert 400 <= answer[0] < 500
    assert answer[1]["content-type"].startswith("application/json")
    assert parsed_error(overcast_server, "sesv2", "UpdateConfigurationSetEventDestination", answer)["Code"]


@pytest.mark.parametrize("status", ["\x04", "\x00\x01"])
def test_query_error_echoing_control_characters_stays_readable(overcast_server, status):
    """A query-protocol error message that echoes characters XML 1.0 cannot carry."""
    body = ("Action=RecordHandlerProgress&Version=2010-05-15&BearerToken=t&OperationStatus="
            + "".join(f"%{ord(c):02X}" for c in status)).encode()
    answer = rest_call(overcast_server, "cloudformation", "POST", "/", body, "application/x-www-form-urlencoded")
    assert 400 <= answer[0] < 500
    assert parsed_error(overcast_server, "cloudformation", "RecordHandlerProgress", answer)["Code"]


def test_query_parameter_with_control_characters_is_refused(overcast_server):
    """elbv2 stored an IpAddressType holding \\x13 and answered it in a 200 body no XML parser can
    read; query services refuse parameters XML 1.0 cannot carry."""
    body = b"Action=CreateLoadBalancer&Version=2015-12-01&Name=lb0&IpAddressType=ipv4%13x&Subnets.member.1=s"
    answer = rest_call(overcast_server, "elasticloadbalancing", "POST", "/", body, "application/x-www-form-urlencoded")
    assert answer[0] == 400
    assert parsed_error(overcast_server, "elbv2", "CreateLoadBalancer", answer)["Code"] == "ValidationError"


def test_api_gateway_usage_plan_with_an_incomplete_api_stage(overcast_server):
    body = json.dumps({"name": "plan", "apiStages": [{"stage": "prod"}]}).encode()
    answer = rest_call(overcast_server, "apigateway", "POST", "/usageplans", body)
    assert answer[0] == 400
    assert parsed_error(overcast_server, "apigateway", "CreateUsagePlan", answer)["Code"] == "BadRequestException"


@pytest.mark.parametrize("settings", ['"xxxx"', "[1, 2]", "7", '{"a": {"b": [true]}}'])
def test_a_document_member_may_hold_any_json_value(overcast_server, settings):
    """(the 2026-12-07 long run) Cognito's `Settings` is a document: a string there reached the
    constraint check as a structure (500). Any JSON value is a document; the other members' own
    constraints still answer."""
    body = b'{"ManagedLoginBrandingId": "", "UserPoolId": "us-east-1_abc", "Settings": ' + settings.encode() + b"}"
    answer = json_call(overcast_server, "cognito-idp", "AWSCognitoIdentityProviderService.UpdateManagedLoginBranding",
                       body, version="1.1")
    assert answer[0] == 400
    error = parsed_error(overcast_server, "cognito-idp", "UpdateManagedLoginBranding", answer)
    assert error["Code"] == "InvalidParameterException" and "managedLoginBrandingId" in error["Message"]


@pytest.mark.parametrize("operation,body", [
    ("CreateActivity", b'{"name": "0", "tags": [{}]}'),
    ("CreateStateMachine", b'{"name": "m", "definition": "{\\"StartAt\\": \\"P\\", \\"States\\": {\\"P\\": '
                           b'{\\"Type\\": \\"Pass\\", \\"End\\": true}}}", "roleArn": "arn:aws:iam::000000000000:role/r", '
                           b'"tags": [{"value": "v"}]}'),
])
def test_step_functions_tag_without_a_key(overcast_server, operation, body):
    """(the 2026-12-07 long run) the model leaves a tag's key optional; a tag without one was a 500."""
    answer = json_call(overcast_server, "stepfunctions", f"AWSStepFunctions.{operation}", body)
    assert answer[0] == 400
    assert parsed_error(overcast_server, "stepfunctions", operation, answer)["Code"] == "ValidationException"


def test_codecommit_branch_name_too_long_for_a_ref_file(overcast_server):
    """(the 2026-12-07 long run) PutFile creating a 255-character branch: its ref file's name is too
    long for the file system (500). Refused as an invalid branch name; the repository still works."""
    codecommit = overcast_server.client("codecommit")
    codecommit.create_repository(repositoryName="long-branch")
    body = json.dumps({"repositoryName": "long-branch", "filePath": "f", "fileContent": "eA==",
                       "branchName": "a" * 255}).encode()
    answer = json_call(overcast_server, "codecommit", "CodeCommit_20150413.PutFile", body, version="1.1")
    assert answer[0] == 400
    assert parsed_error(overcast_server, "codecommit", "PutFile", answer)["Code"] == "InvalidBranchNameException"
    codecommit.put_file(repositoryName="long-branch", branchName="main", fileContent=b"x", filePath="f")
    assert codecommit.get_branch(repositoryName="long-branch", branchName="main")["branch"]["commitId"]


def test_rest_xml_parameter_with_control_characters_is_refused(overcast_server):
    """(the 2026-12-07 long run) CloudFront echoed a `Marker` holding a form feed in a 200 answer no
    XML parser reads. Refused, as the query services refuse such parameters."""
    answer = rest_call(overcast_server, "cloudfront", "GET",
                       "/2020-05-31/distributionsByWebACLId/acl?MaxItems=&Marker=%0CM", b"")
    assert answer[0] == 400
    error = parsed_error(overcast_server, "cloudfront", "ListDistributionsByWebACLId", answer)
    assert error["Code"] == "InvalidArgument"
    ok = rest_call(overcast_server, "cloudfront", "GET", "/2020-05-31/distributionsByWebACLId/acl?Marker=M", b"")
    assert ok[0] == 200


@pytest.mark.parametrize("params", [
    "RulePriorities.member.2.Priority=2&RulePriorities.member.3.Priority=-478561",
    "RulePriorities.member.1.RuleArn=arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A000000000000%3Alistener-rule%2Fapp%2Fa%2Fb%2Fc%2Fd",
])
def test_elbv2_rule_priority_pair_missing_a_member(overcast_server, params):
    """(the 2026-12-07 verification run) a RulePriorities pair without RuleArn (or Priority): 500."""
    answer = query_call(overcast_server, "elasticloadbalancing",
                        f"Action=SetRulePriorities&Version=2015-12-01&{params}")
    assert answer[0] == 400
    assert parsed_error(overcast_server, "elbv2", "SetRulePriorities", answer)["Code"] == "ValidationError"


def test_ses_query_call_with_a_garbage_content_type(overcast_server):
    """(the 2026-12-07 last run) SES and SES v2 share a signing name: a form POST to `/` whose
    Content-Type was garbage went to SES v2 and got JSON no query client reads. `/` is the query
    API's (SES v2's paths start /v2/): SES answers in XML."""
    body = b"Action=DeleteReceiptFilter&Version=2010-12-01&FilterName=f"
    answer = send(overcast_server, "POST", "/", body, {
        "Content-Type": "text/plain",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ses/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    assert answer[0] == 200 and b"<DeleteReceiptFilterResponse" in answer[2]
