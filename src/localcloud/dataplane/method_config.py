"""What a matched method asks of the gateway before its integration: authorization, API key, request
validation, MOCK responses.

Read from moto's Method / Authorizer / Integration objects on every request (moto is untyped: narrowed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localcloud.dataplane.model import Route
from localcloud.dataplane.request_validation import Validation, validation_of

# AWS's default when authorizerResultTtlInSeconds is not set.
# Doc: https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
DEFAULT_AUTHORIZER_TTL_S = 300


@dataclass(frozen=True)
class AuthorizerConfig:
    id: str
    name: str
    type: str  # TOKEN, REQUEST, COGNITO_USER_POOLS
    uri: str | None
    credentials: str | None
    identity_sources: tuple[str, ...]  # "method.request.header.Authorization", ...
    validation_expression: str | None
    ttl_s: int


@dataclass(frozen=True)
class IntegrationResponseConfig:
    status_code: str
    selection_pattern: str | None
    response_parameters: dict[str, str]
    response_templates: dict[str, str | None]


@dataclass(frozen=True)
class MethodConfig:
    authorization_type: str  # NONE, CUSTOM, AWS_IAM, COGNITO_USER_POOLS
    authorizer: AuthorizerConfig | None
    api_key_required: bool
    integration_credentials: str | None
    request_templates: dict[str, str | None]
    passthrough_behavior: str
    integration_responses: tuple[IntegrationResponseConfig, ...]
    validation: Validation | None = None


def _authorizer(api: Any, authorizer_id: str | None) -> AuthorizerConfig | None:
    found = api.authorizers.get(authorizer_id) if authorizer_id else None
    if found is None:
        return None
    sources = [s.strip() for s in str(found.identity_source or "").split(",") if s.strip()]
    ttl = found.authorizer_result_ttl
    return AuthorizerConfig(
        id=str(found.id),
        name=str(found.name),
        type=str(found.type or "").upper(),
        uri=str(found.authorizer_uri) if found.authorizer_uri else None,
        credentials=str(found.authorizer_credentials) if found.authorizer_credentials else None,
        identity_sources=tuple(sources),
        validation_expression=found.identity_validation_expression or None,
        ttl_s=DEFAULT_AUTHORIZER_TTL_S if ttl is None else int(ttl),
    )


def _integration_responses(integration: Any) -> tuple[IntegrationResponseConfig, ...]:
    responses = dict(getattr(integration, "integration_responses", None) or {})
    return tuple(
        IntegrationResponseConfig(
            status_code=str(response.status_code),
            selection_pattern=response.selection_pattern or None,
            response_parameters=dict(response.response_parameters or {}),
            response_templates=dict(response.response_templates or {}),
        )
        for response in responses.values()
    )


def method_config(api: Any, route: Route) -> MethodConfig | None:
    """The settings of the method match_route picked (the request's verb, else ANY); None if it just went."""
    resource = api.resources.get(route.resource_id)
    methods = dict(resource.resource_methods) if resource is not None else {}
    method = methods.get(route.http_method) or methods.get("ANY")
    if method is None:  # the API was re-imported between the match and this read
        return None
    integration = method.method_integration
    return MethodConfig(
        authorization_type=str(method.authorization_type or "NONE").upper(),
        authorizer=_authorizer(api, method.authorizer_id),
        api_key_required=bool(method.api_key_required),
        integration_credentials=getattr(integration, "credentials", None) or None,
        request_templates=dict(getattr(integration, "request_templates", None) or {}),
        passthrough_behavior=str(getattr(integration, "passthrough_behaviour", None) or "WHEN_NO_MATCH"),
        integration_responses=_integration_responses(integration) if integration is not None else (),
        validation=validation_of(api, method),
    )


def api_key_source(api: Any) -> str:
    return str(getattr(api, "api_key_source", None) or "HEADER").upper()
