"""Turn an API Gateway request body into a JSON object, refusing every malformed shape with a 4xx.

Powertools' own body parsing lets base64, UTF-8 and recursion errors escape as 500s and reads form
bodies as JSON fields, so JSON bodies are read here, strictly: one JSON object, UTF-8, no duplicate
keys, no NaN/Infinity, bounded size. `StrictJSONValidation` puts this reader inside Powertools' own
request validation, which then validates the object against the route's typed body.
"""

import base64
import binascii
import json
import math
from collections.abc import Collection, MutableMapping, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import (
    BadRequestError,
    RequestEntityTooLargeError,
    ServiceError,
)
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
    _get_multi_value_query_params,
    _normalize_errors,
    _process_model_param,
    _process_scalar_param,
    _request_body_to_args,
    _request_params_to_args,
)
from aws_lambda_powertools.event_handler.openapi.compat import ModelField, is_scalar_field
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import CaseInsensitiveDict
from pydantic import BaseModel

MAX_BODY_BYTES = 16 * 1024
# Integers longer than this cannot be a pet id and are costly to convert.
MAX_INTEGER_DIGITS = 32


class UnsupportedMediaTypeError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(415, msg)


class _RejectedJSON(ValueError):
    """Raised from the json hooks; its text is the client-facing reason."""


class StrictJSONValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, with the body read by `read_json_object` instead of json.loads.

    Request validation runs before any user middleware, so the strict reading has to happen inside it.
    The same steps as Powertools' handler, in the same order, except that a kind of parameter the route
    does not declare is not read at all: Powertools copies every header and cookie of every request into
    case-insensitive dicts (three times for headers), half the warm time of a route without parameters.
    """

    def handler(self, app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Any:  # type: ignore[override]
        dependant = app.context["_route"].dependant
        event = app.current_event
        values, errors = _request_params_to_args(dependant.path_params, app.context["_route_args"])
        if dependant.query_params:
            query = _normalize_params(
                event.resolved_query_string_parameters,
                dependant.query_params,
                multi_value_params=_get_multi_value_query_params(event),
            )
            _collect(_request_params_to_args(dependant.query_params, query), values, errors)
        if dependant.header_params:
            multi_value_headers = CaseInsensitiveDict(event.get("multiValueHeaders"))
            headers = _normalize_params(
                multi_value_headers or event.headers,
                dependant.header_params,
                multi_value_params=frozenset(multi_value_headers),
            )
            _collect(_request_params_to_args(dependant.header_params, headers), values, errors)
        if dependant.cookie_params:
            cookies = event.resolved_cookies_field
            _collect(_request_params_to_args(dependant.cookie_params, cookies), values, errors)
        if dependant.body_params:
            body = self._get_body(app)
            _collect(_request_body_to_args(dependant.body_params, body), values, errors)
        if errors:
            raise RequestValidationError(_normalize_errors(errors))
        app.context["_route_args"] = values
        return next_middleware(app)

    def _get_body(self, app: APIGatewayRestResolver) -> dict[str, Any]:  # type: ignore[override]
        return read_json_object(app.current_event)


def _normalize_params(
    source: MutableMapping[str, Any], params: Sequence[ModelField], *, multi_value_params: Collection[str]
) -> MutableMapping[str, Any]:
    """Powertools' _normalize_multi_params, with each parameter's kind worked out once, not per request.

    Telling a scalar from a model parameter walks the annotation (a sixth of a warm order); the routes'
    parameters live as long as the process, so their identity is a safe key.
    """
    for param in params:
        kind = _PARAM_KINDS.get(id(param))
        if kind is None:
            kind = _PARAM_KINDS[id(param)] = _param_kind(param)
        if kind == "scalar":
            _process_scalar_param(source, param, multi_value_params)
        elif kind == "model":
            _process_model_param(source, param, multi_value_params)
    return source


_PARAM_KINDS: dict[int, str] = {}


def _param_kind(param: ModelField) -> str:
    if is_scalar_field(param):
        return "scalar"
    try:
        is_model = issubclass(param.field_info.annotation, BaseModel)  # type: ignore[arg-type]
    except TypeError:  # not a class: list[str], a Union, ...
        is_model = False
    return "model" if is_model else "other"


def _collect(found: tuple[dict[str, Any], list[Any]], values: dict[str, Any], errors: list[Any]) -> None:
    values.update(found[0])
    errors.extend(found[1])


def use_strict_json(app: APIGatewayRestResolver) -> None:
    """Make every route with a typed body read it strictly; fails the cold start if Powertools changed."""
    if not isinstance(
        getattr(app, "_request_validation_middleware", None), OpenAPIRequestValidationMiddleware
    ):
        raise RuntimeError("Powertools request validation is not where it was: review StrictJSONValidation")
    app._request_validation_middleware = StrictJSONValidation()


def read_json_object(event: APIGatewayProxyEvent, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    require_json_content_type(event.headers.get("content-type"))
    text = body_text(event.body, bool(event.is_base64_encoded), max_bytes)
    value = parse_strict_json(text)
    if not isinstance(value, dict):
        raise BadRequestError("Request body must be a JSON object")
    return value


def require_json_content_type(content_type: str | None) -> None:
    """No Content-Type is read as JSON; any other media type than JSON is refused."""
    if not content_type or not content_type.strip():
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    is_json = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    if is_json:
        return
    raise UnsupportedMediaTypeError("Content-Type must be application/json")


def body_text(body: str | None, is_base64_encoded: bool, max_bytes: int = MAX_BODY_BYTES) -> str:
    """The body as text, after base64 decoding, within max_bytes of UTF-8."""
    if not body:
        raise BadRequestError("Request body is required: send a JSON object")
    too_large = RequestEntityTooLargeError(f"Request body must be at most {max_bytes} bytes")
    if is_base64_encoded:
        # Four base64 characters carry three bytes: refuse before decoding anything oversized.
        if len(body) > (max_bytes + 2) // 3 * 4 + 4:
            raise too_large
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequestError("Request body is marked base64 but is not valid base64") from None
        if len(raw) > max_bytes:
            raise too_large
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequestError("Request body is not valid UTF-8") from None
    if len(body) > max_bytes:
        raise too_large
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadRequestError("Request body is not valid UTF-8") from None
    if size > max_bytes:
        raise too_large
    if not body.strip():
        raise BadRequestError("Request body is required: send a JSON object")
    return body


def parse_strict_json(text: str) -> Any:
    if not text.strip():
        raise BadRequestError("Request body is required: send a JSON object")
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_without_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except _RejectedJSON as rejected:
        raise BadRequestError(f"Request body is not valid JSON: {rejected}") from None
    except json.JSONDecodeError as error:
        raise BadRequestError(
            f"Request body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise BadRequestError("Request body is not valid JSON: nested too deeply") from None


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _RejectedJSON("an object has a duplicate key")
    return obj


def _reject_constant(name: str) -> Any:
    raise _RejectedJSON(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _RejectedJSON("a number is out of range")
    return number


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _RejectedJSON("an integer is too large")
    return int(literal)
