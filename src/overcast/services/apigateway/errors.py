"""API Gateway's errors (rest-json: `x-amzn-ErrorType` header, body `{"message": ...}`)."""

from __future__ import annotations

from overcast.errors import ServiceError


class ApiGatewayError(ServiceError):
    sender_fault = True
    status = 400


class BadRequest(ApiGatewayError):
    code = "BadRequestException"


class NotFound(ApiGatewayError):
    code = "NotFoundException"
    status = 404


class Conflict(ApiGatewayError):
    code = "ConflictException"
    status = 409


class LimitExceeded(ApiGatewayError):
    code = "LimitExceededException"
    status = 429


class Unauthorized(ApiGatewayError):
    code = "UnauthorizedException"
    status = 401
