"""Basic request validation: an enabled validator checks required parameters, then the body's model.

Required parameters (`method.request.{querystring,header,path}.<name>`: true) must be present and not
blank, else 400 BAD_REQUEST_PARAMETERS "Missing required request parameters: [a, b]". The body is checked
against the model of its Content-Type (else `$default`; no model, no check) as JSON schema draft 4, an
empty body read as `{}`; a body that is not JSON or does not match is 400 BAD_REQUEST_BODY
"Invalid request body". Models may reference each other (`#/definitions/X`, `#/components/schemas/X`,
or API Gateway's model URL).
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jsonschema  # type: ignore[import-untyped]

from localcloud.dataplane.gateway_errors import BadRequestBody, BadRequestParameters, GatewayError
from localcloud.dataplane.proxy_event import IncomingRequest

log = logging.getLogger("localcloud.dataplane")

_PARAMETER = re.compile(r"^method\.request\.(querystring|header|path)\.(.+)$")
_MODEL_URL = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/(?P<name>[^/#]+)")


@dataclass(frozen=True)
class Validation:
    """What the method's validator turns on, and what it checks."""

    parameters: bool
    body: bool
    required_parameters: tuple[str, ...]  # method.request.<location>.<name>
    request_models: dict[str, str]  # content type (or $default) -> model name


def validation_of(api: Any, method: Any) -> Validation | None:
    validator = api.request_validators.get(method.request_validator_id or "")
    if validator is None:
        return None
    return Validation(
        parameters=bool(validator.validate_request_parameters),
        body=bool(validator.validate_request_body),
        required_parameters=tuple(k for k, v in dict(method.request_parameters or {}).items() if v),
        request_models=dict(method.request_models or {}),
    )


def validate_request(
    api: Any, validation: Validation | None, request: IncomingRequest, path: dict[str, str]
) -> None:
    if validation is None:
        return
    if validation.parameters:
        missing = _missing_parameters(validation.required_parameters, request, path)
        if missing:
            raise BadRequestParameters(missing)
    if validation.body:
        _check_body(api, validation.request_models, request)


def _missing_parameters(
    required: tuple[str, ...], request: IncomingRequest, path: dict[str, str]
) -> list[str]:
    headers = {header.lower(): header_value for header, header_value in request.headers}
    query = parse_qs(request.query_string, keep_blank_values=True)
    missing: list[str] = []
    for key in required:
        matched = _PARAMETER.match(key)
        if matched is None:
            continue
        location, name = matched.groups()
        value: str | None
        if location == "header":
            value = headers.get(name.lower())
        elif location == "querystring":
            value = query[name][-1] if query.get(name) else None
        else:
            value = path.get(name)
        if value is None or not value.strip():
            missing.append(name)
    return missing


def _media_type(request: IncomingRequest) -> str:
    content_type = next((v for k, v in request.headers if k.lower() == "content-type"), "")
    return content_type.split(";", 1)[0].strip().lower()


def _schema(api: Any, name: str) -> Any:
    model = api.models.get(name)
    if model is None:
        return None
    return json.loads(model.schema) if isinstance(model.schema, str) else model.schema


def _local_refs(node: Any) -> Any:
    """API Gateway's model URLs as local references into the root built below."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        matched = _MODEL_URL.match(ref) if isinstance(ref, str) else None
        fixed = {k: _local_refs(v) for k, v in node.items()}
        if matched:
            fixed["$ref"] = f"#/definitions/{matched['name']}"
        return fixed
    if isinstance(node, list):
        return [_local_refs(v) for v in node]
    return node


def _check_body(api: Any, request_models: dict[str, str], request: IncomingRequest) -> None:
    model_name = request_models.get(_media_type(request)) or request_models.get("$default")
    if not model_name:
        return  # no model for this content type: API Gateway does not validate the body
    try:
        schemas = {name: _local_refs(_schema(api, name)) for name in list(api.models)}
    except ValueError:
        log.warning("Request validation: a model of API %s is not valid JSON", api.id)
        raise GatewayError() from None
    if schemas.get(model_name) is None:
        log.warning("Request validation: model %s of API %s does not exist", model_name, api.id)
        raise GatewayError()
    root = {"definitions": schemas, "components": {"schemas": schemas}, "allOf": [schemas[model_name]]}
    try:
        instance = json.loads(request.body.decode("utf-8") or "{}")
    except ValueError:
        raise BadRequestBody() from None
    try:
        jsonschema.Draft4Validator(root).validate(instance)
    except jsonschema.ValidationError as error:
        log.info("Request body does not match model %s: %s", model_name, error.message)
        raise BadRequestBody() from None
    except (jsonschema.SchemaError, jsonschema.exceptions.RefResolutionError) as error:
        log.warning("Request validation: model %s cannot be used: %s", model_name, error)
        raise GatewayError() from None
