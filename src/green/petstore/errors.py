"""One error contract for every route: JSON {"message": ...} with an HTTP status, never a stack trace."""

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from petstore import routing

# Bounds on what an error echoes back, so a hostile request cannot inflate its own error.
_MAX_REPORTED_ERRORS = 10
_MAX_LOCATION_PART = 64


def error_response(status: int, message: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = extra.pop("headers", None)
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"message": message, **extra},
        headers=headers,
    )


def register_error_handlers(app: APIGatewayRestResolver, logger: Logger) -> None:
    """Install the handlers that render every failure, Powertools' own included, as the error contract.

    Call it after the routes are registered: 405 and Allow come from them.
    """
    routes = routing.route_table(app)

    @app.not_found
    def not_found(error: NotFoundError) -> Response[dict[str, Any]]:
        # Called both when no route matched and when a route raised NotFoundError.
        method = app.current_event.http_method.upper()
        allowed = routing.allowed_methods(routes, app.current_event.path)
        if allowed and method not in allowed:
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"Method {method} is not allowed here; allowed: {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(HTTPStatus.NOT_FOUND, str(error.msg) if allowed else "Resource not found")

    def service_error(error: ServiceError) -> Response[dict[str, Any]]:
        return error_response(error.status_code, str(error.msg))

    def invalid_parameters(error: RequestValidationError) -> Response[dict[str, Any]]:
        return validation_response(error.errors())

    def unexpected(error: Exception) -> Response[dict[str, Any]]:
        logger.exception("Unhandled error", extra={"error_type": type(error).__name__})
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "Internal server error")

    # Powertools looks handlers up along the exception's MRO: Exception gets only what nothing else takes.
    # Request input is validated by Powertools (RequestValidationError); any other pydantic error is
    # the server's own (a stored order it cannot read, an answer it cannot build): a logged 500.
    app.exception_handler(ServiceError)(service_error)
    app.exception_handler(RequestValidationError)(invalid_parameters)
    app.exception_handler(Exception)(unexpected)


def validation_response(details: Sequence[Mapping[str, Any]]) -> Response[dict[str, Any]]:
    errors = [
        {"location": _location(detail.get("loc", ())), "message": str(detail.get("msg", "Invalid value"))}
        for detail in details[:_MAX_REPORTED_ERRORS]
    ]
    summary = "; ".join(f"{error['location']}: {error['message']}" for error in errors)
    return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, f"Invalid request: {summary}", errors=errors)


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part)[:_MAX_LOCATION_PART] for part in loc) or "request"
