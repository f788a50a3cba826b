"""Request validators, models and required parameters of a REST API imported from its OpenAPI body.

`x-amazon-apigateway-request-validators` become the API's RequestValidators, `definitions` (Swagger 2) and
`components.schemas` (OpenAPI 3) its models, and each operation gets its validator
(`x-amazon-apigateway-request-validator`, operation or document level), its `requestParameters`
(`method.request.{querystring,header,path}.<name>`: required) and `requestModels` (content type -> model)
from `parameters` (incl. a Swagger 2 `in: body` schema) and `requestBody`. The data plane enforces them
(`dataplane/request_validation.py`). A re-import replaces what an earlier body defined.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-request-validators.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-validation-set-up.html
"""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

VALIDATORS_KEY = "x-amazon-apigateway-request-validators"
VALIDATOR_KEY = "x-amazon-apigateway-request-validator"
_LOCATIONS = {"query": "querystring", "header": "header", "path": "path"}
_SCHEMA_REFS = ("#/definitions/", "#/components/schemas/")


class InvalidValidation(ValueError):
    """The body names a validator it does not define, or a model it does not have."""


@dataclass(frozen=True)
class OperationValidation:
    validator_id: str | None = None
    request_parameters: dict[str, bool] = field(default_factory=dict)
    request_models: dict[str, str] = field(default_factory=dict)


def _body_schemas(body: dict[str, Any]) -> dict[str, Any]:
    return {
        **(body.get("definitions") or {}),
        **((body.get("components") or {}).get("schemas") or {}),
    }


def import_validators_and_models(api: Any, body: dict[str, Any]) -> dict[str, str]:
    """Replace the validators and models an earlier body defined; return validator name -> id."""
    for validator_id, validator in list(api.request_validators.items()):
        if getattr(validator, "lc_from_body", False):
            del api.request_validators[validator_id]
    for name, model in list(api.models.items()):
        if getattr(model, "lc_from_body", False):
            del api.models[name]
    ids: dict[str, str] = {}
    for name, spec in (body.get(VALIDATORS_KEY) or {}).items():
        validator = api.create_request_validator(
            name, bool(spec.get("validateRequestBody")), bool(spec.get("validateRequestParameters"))
        )
        validator.lc_from_body = True
        ids[name] = str(validator.id)
    for name, schema in _body_schemas(body).items():
        _add_model(api, name, schema)
    return ids


def _add_model(api: Any, name: str, schema: Any) -> str:
    model = api.add_model(
        name=name, description=None, schema=json.dumps(schema), content_type="application/json"
    )
    model.lc_from_body = True
    return name


def _resolve(body: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (#/parameters/x, #/components/parameters/x, #/components/requestBodies/x)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = body
        for part in node["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if target is None or seen > 10:
            raise InvalidValidation(f"Unresolvable reference {node['$ref']}")
        node, seen = target, seen + 1
    return node


def _model_for(api: Any, body: dict[str, Any], schema: Any) -> str:
    """The model a schema names (`$ref` to a definition), else a model made for the inline schema."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str):
        for prefix in _SCHEMA_REFS:
            if ref.startswith(prefix) and ref[len(prefix) :] in api.models:
                return ref[len(prefix) :]
        raise InvalidValidation(f"Invalid model specified: {ref}")
    digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:12]
    return _add_model(api, f"Inline{digest}", schema)


def operation_validation(
    api: Any,
    body: dict[str, Any],
    path_item: dict[str, Any],
    operation: dict[str, Any],
    validator_ids: dict[str, str],
) -> OperationValidation:
    name = operation.get(VALIDATOR_KEY, body.get(VALIDATOR_KEY))
    if name is not None and name not in validator_ids:
        raise InvalidValidation(f"Invalid request validator name {name} (not in {VALIDATORS_KEY})")
    parameters: dict[str, bool] = {}
    models: dict[str, str] = {}
    for raw in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = _resolve(body, raw)
        location = parameter.get("in")
        if location in _LOCATIONS:
            key = f"method.request.{_LOCATIONS[location]}.{parameter['name']}"
            parameters[key] = bool(parameter.get("required", False))
        elif location == "body" and parameter.get("schema") is not None:
            model = _model_for(api, body, parameter["schema"])
            for content_type in operation.get("consumes") or body.get("consumes") or ["application/json"]:
                models[content_type] = model
    request_body = _resolve(body, operation.get("requestBody") or {})
    for content_type, media in (request_body.get("content") or {}).items():
        if isinstance(media, dict) and media.get("schema") is not None:
            models[content_type] = _model_for(api, body, media["schema"])
    return OperationValidation(validator_ids.get(name) if name else None, parameters, models)
