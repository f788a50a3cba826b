"""The answers API Gateway gives itself (gateway responses), without or instead of the integration's.

Doc: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations


class GatewayError(Exception):
    """DEFAULT_5XX: an answer API Gateway gives itself, without (or instead of) the integration's."""

    status = 500
    body = '{"message": "Internal server error"}'
    error_type: str | None = "InternalServerErrorException"


class MissingAuthenticationToken(GatewayError):
    status = 403
    body = '{"message":"Missing Authentication Token"}'
    error_type = "MissingAuthenticationTokenException"


class Forbidden(GatewayError):
    """INVALID_API_KEY (and a disabled execute-api endpoint)."""

    status = 403
    body = '{"message":"Forbidden"}'
    error_type = "ForbiddenException"


class Unauthorized(GatewayError):
    """UNAUTHORIZED: an identity source is missing or invalid, or the authorizer said "Unauthorized"."""

    status = 401
    body = '{"message":"Unauthorized"}'
    error_type = "UnauthorizedException"


class ExplicitDeny(GatewayError):
    """ACCESS_DENIED: the authorizer's policy denies the method explicitly."""

    status = 403
    body = '{"Message":"User is not authorized to access this resource with an explicit deny"}'
    error_type = "AccessDeniedException"


class NotAllowed(GatewayError):
    """ACCESS_DENIED: the authorizer's policy allows nothing that covers the method."""

    status = 403
    body = '{"Message":"User is not authorized to access this resource"}'
    error_type = "AccessDeniedException"


class AuthorizerConfigurationError(GatewayError):
    """AUTHORIZER_CONFIGURATION_ERROR: the authorizer failed, is missing, or returned an invalid answer."""

    status = 500
    body = '{"message": null}'
    error_type = "AuthorizerConfigurationException"


class BadGateway(GatewayError):
    status = 502


class EndpointTimedOut(GatewayError):
    status = 504
    body = '{"message": "Endpoint request timed out"}'
