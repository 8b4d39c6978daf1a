"""X-Ray's errors (botocore model `xray`)."""

from overcast.errors import ClientError


class InvalidRequest(ClientError):
    code = "InvalidRequestException"


class RuleLimitExceeded(ClientError):
    code = "RuleLimitExceededException"
