"""The Resource Groups Tagging API's errors
(https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html#API_GetResources_Errors)."""

from __future__ import annotations

from overcast.errors import ClientError


class InvalidParameterException(ClientError):
    code = "InvalidParameterException"


class PaginationTokenExpiredException(ClientError):
    code = "PaginationTokenExpiredException"
