"""Powertools' request validation, reading the body strictly and only what the route declares.

`StrictJSONValidation` takes the place of Powertools' request validation middleware (which runs before
any user middleware, so the strict body reading has to happen inside it). It runs the same steps as
Powertools' handler, in the same order, with the same helpers, except that:
- a kind of parameter the route does not declare is not read at all: Powertools copies every header
  and cookie of every request into case-insensitive dicts (three times for headers), half the warm time
  of a route without parameters;
- what Powertools works out from a parameter's annotation on every request is worked out once per
  parameter (scalar or model), or only when the value needs it (whether a body field takes a list);
- when a request sends none of a route's query parameters (or none of its header parameters), their
  values are the defaults Powertools gives missing parameters, worked out once when immutable.
tests/unit/handlers/test_request_validation.py serves every stored request through both handlers and
compares the answers, so a Powertools upgrade that changes validation fails there.
"""

from collections.abc import Collection, Mapping, MutableMapping, Sequence
from enum import Enum
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
    _extract_field_value_from_body,
    _get_body_field_location,
    _get_embed_body,
    _get_multi_value_query_params,
    _handle_missing_field_value,
    _is_or_contains_sequence,
    _normalize_errors,
    _process_model_param,
    _process_scalar_param,
    _request_params_to_args,
    _validate_field,
)
from aws_lambda_powertools.event_handler.openapi.compat import ModelField, is_scalar_field
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes.common import CaseInsensitiveDict
from pydantic import BaseModel

from petstore.request_body import read_json_object

Found = tuple[dict[str, Any], list[Any]]


class StrictJSONValidation(OpenAPIRequestValidationMiddleware):
    def handler(self, app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Any:  # type: ignore[override]
        dependant = app.context["_route"].dependant
        event = app.current_event
        values, errors = _request_params_to_args(dependant.path_params, app.context["_route_args"])
        if dependant.query_params and not _any_sent(dependant.query_params, _query_names(event)):
            _collect(_defaults(dependant.query_params), values, errors)
        elif dependant.query_params:
            query = _normalize_params(
                event.resolved_query_string_parameters,
                dependant.query_params,
                multi_value_params=_get_multi_value_query_params(event),
            )
            _collect(_request_params_to_args(dependant.query_params, query), values, errors)
        if dependant.header_params and not _any_sent(dependant.header_params, _header_names(event)):
            _collect(_defaults(dependant.header_params), values, errors)
        elif dependant.header_params:
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
            _collect(_body_to_args(dependant.body_params, self._get_body(app)), values, errors)
        if errors:
            raise RequestValidationError(_normalize_errors(errors))
        app.context["_route_args"] = values
        return next_middleware(app)

    def _get_body(self, app: APIGatewayRestResolver) -> dict[str, Any]:  # type: ignore[override]
        return read_json_object(app.current_event)


def use_strict_json(app: APIGatewayRestResolver) -> None:
    """Make every route validate with StrictJSONValidation; fails the cold start if Powertools changed."""
    if not isinstance(
        getattr(app, "_request_validation_middleware", None), OpenAPIRequestValidationMiddleware
    ):
        raise RuntimeError("Powertools request validation is not where it was: review StrictJSONValidation")
    app._request_validation_middleware = StrictJSONValidation()


def _normalize_params(
    source: MutableMapping[str, Any], params: Sequence[ModelField], *, multi_value_params: Collection[str]
) -> MutableMapping[str, Any]:
    """Powertools' _normalize_multi_params, each parameter's kind (scalar or model) looked up once."""
    for param in params:
        known = _PARAM_KINDS.get(id(param))
        if known is None:
            known = _PARAM_KINDS[id(param)] = (param, _param_kind(param))
        kind = known[1]
        if kind == "scalar":
            _process_scalar_param(source, param, multi_value_params)
        elif kind == "model":
            _process_model_param(source, param, multi_value_params)
    return source


def _body_to_args(params: list[ModelField], received_body: dict[str, Any]) -> Found:
    """Powertools' _request_body_to_args for a JSON body.

    Whether a field takes a list matters only when its value is one, so the annotation is walked then
    only. A JSON body holds no uploaded file, the one case of Powertools' that is left out.
    """
    values: dict[str, Any] = {}
    errors: list[Any] = []
    body, field_alias_omitted = _get_embed_body(
        field=params[0], required_params=params, received_body=received_body
    )
    for field in params:
        loc = _get_body_field_location(field, field_alias_omitted)
        value = _extract_field_value_from_body(field, body, loc, errors)
        if value is None:
            _handle_missing_field_value(field, values, errors, loc)
            continue
        if isinstance(value, list) and value and not _is_or_contains_sequence(field.field_info.annotation):
            value = value[0]
        values[field.name] = _validate_field(field=field, value=value, loc=loc, existing_errors=errors)
    return values, errors


# Keyed by the parameters' identity. Powertools keeps them on the routes for the process's life; the
# entry holds the parameter as well, so its identity cannot be reused by another object.
_PARAM_KINDS: dict[int, tuple[ModelField, str]] = {}


def _param_kind(param: ModelField) -> str:
    if is_scalar_field(param):
        return "scalar"
    try:
        is_model = issubclass(param.field_info.annotation, BaseModel)  # type: ignore[arg-type]
    except TypeError:  # not a class: list[str], a Union, ...
        is_model = False
    return "model" if is_model else "other"


def _query_names(event: Mapping[str, Any]) -> set[str]:
    return {
        *(event.get("queryStringParameters") or ()),
        *(event.get("multiValueQueryStringParameters") or ()),
    }


def _header_names(event: Mapping[str, Any]) -> set[str]:
    """The header names sent, lower-cased: Powertools reads headers without regard to case. API Gateway
    sends each name in both maps: each distinct name is lower-cased once."""
    sent = set(event.get("headers") or ())
    sent.update(event.get("multiValueHeaders") or ())
    return {name.lower() for name in sent}


def _any_sent(params: Sequence[ModelField], names: Collection[str]) -> bool:
    return any(param.alias in names or param.alias.lower() in names for param in params)


# Values shared between requests must not be changed by one of them: only these are shared.
_IMMUTABLE = (type(None), bool, int, float, str, bytes, Enum)
# Keyed like _PARAM_KINDS: the parameters, and their defaults when all are immutable (else None).
_DEFAULTS: dict[int, tuple[Sequence[ModelField], dict[str, Any] | None]] = {}


def _defaults(params: Sequence[ModelField]) -> Found:
    """What Powertools' _request_params_to_args gives when none of params was sent: each one's default,
    or an error for a required one."""
    known = _DEFAULTS.get(id(params))
    if known is None:
        values, errors = _request_params_to_args(params, {})
        shareable = not errors and all(isinstance(value, _IMMUTABLE) for value in values.values())
        known = _DEFAULTS[id(params)] = (params, values if shareable else None)
    shared = known[1]
    return (dict(shared), []) if shared is not None else _request_params_to_args(params, {})


def _collect(found: Found, values: dict[str, Any], errors: list[Any]) -> None:
    values.update(found[0])
    errors.extend(found[1])
