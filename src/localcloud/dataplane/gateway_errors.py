"""The answers API Gateway gives itself (gateway responses), without or instead of the integration's.

Doc: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import json


class GatewayError(Exception):
    """DEFAULT_5XX: an answer API Gateway gives itself, without (or instead of) the integration's."""

    status = 500
    body = '{"message": "Internal server error"}'
    error_type: str | None = "InternalServerErrorException"
    response_type = "DEFAULT_5XX"  # the gateway response an API can customise

    @property
    def message(self) -> str | None:
        """$context.error.message: the message the default body carries."""
        parsed = json.loads(self.body)
        value = parsed.get("message", parsed.get("Message"))
        return None if value is None else str(value)


class MissingAuthenticationToken(GatewayError):
    status = 403
    response_type = "MISSING_AUTHENTICATION_TOKEN"
    body = '{"message":"Missing Authentication Token"}'
    error_type = "MissingAuthenticationTokenException"


class Forbidden(GatewayError):
    """INVALID_API_KEY (and a disabled execute-api endpoint)."""

    status = 403
    body = '{"message":"Forbidden"}'
    response_type = "INVALID_API_KEY"
    error_type = "ForbiddenException"


class Unauthorized(GatewayError):
    """UNAUTHORIZED: an identity source is missing or invalid, or the authorizer said "Unauthorized"."""

    status = 401
    body = '{"message":"Unauthorized"}'
    response_type = "UNAUTHORIZED"
    error_type = "UnauthorizedException"


class ExplicitDeny(GatewayError):
    """ACCESS_DENIED: the authorizer's policy denies the method explicitly."""

    status = 403
    body = '{"Message":"User is not authorized to access this resource with an explicit deny"}'
    response_type = "ACCESS_DENIED"
    error_type = "AccessDeniedException"


class NotAllowed(GatewayError):
    """ACCESS_DENIED: the authorizer's policy allows nothing that covers the method."""

    status = 403
    body = '{"Message":"User is not authorized to access this resource"}'
    response_type = "ACCESS_DENIED"
    error_type = "AccessDeniedException"


class AuthorizerConfigurationError(GatewayError):
    """AUTHORIZER_CONFIGURATION_ERROR: the authorizer failed, is missing, or returned an invalid answer."""

    status = 500
    body = '{"message": null}'
    response_type = "AUTHORIZER_CONFIGURATION_ERROR"
    error_type = "AuthorizerConfigurationException"


class BadGateway(GatewayError):
    status = 502


class EndpointTimedOut(GatewayError):
    status = 504
    body = '{"message": "Endpoint request timed out"}'
    response_type = "INTEGRATION_TIMEOUT"


class BadRequestParameters(GatewayError):
    """BAD_REQUEST_PARAMETERS: a required request parameter is missing or blank (an enabled validator)."""

    status = 400
    response_type = "BAD_REQUEST_PARAMETERS"
    error_type = "BadRequestException"

    def __init__(self, missing: list[str]) -> None:
        super().__init__()
        self.body = json.dumps({"message": f"Missing required request parameters: [{', '.join(missing)}]"})


class BadRequestBody(GatewayError):
    """BAD_REQUEST_BODY: the body does not match the method's model (an enabled validator)."""

    status = 400
    body = '{"message": "Invalid request body"}'
    response_type = "BAD_REQUEST_BODY"
    error_type = "BadRequestException"
