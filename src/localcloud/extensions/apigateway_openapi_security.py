"""The security parts of an imported OpenAPI body: Lambda authorizers and each method's requirements.

`securityDefinitions` (Swagger 2) or `components.securitySchemes` (OpenAPI 3) with
`x-amazon-apigateway-authorizer` become the API's authorizers; an operation's `security` (or the
document's) makes the method CUSTOM with that authorizer, and the `x-api-key` header scheme makes it
require an API key. SAM names "no authorization" with a `NONE` requirement. What the local cloud cannot
enforce (Cognito user pools, AWS_IAM) fails the import naming it, never a method left open.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html
"""

import secrets
import string
from dataclasses import dataclass
from typing import Any

from ._moto import apigw

_AUTHORIZER_KEY = "x-amazon-apigateway-authorizer"
_AUTHTYPE_KEY = "x-amazon-apigateway-authtype"
_SUPPORTED_AUTHORIZERS = ("TOKEN", "REQUEST")
_ID_ALPHABET = string.ascii_lowercase + string.digits


class UnsupportedSecurity(Exception):
    """A security feature the local cloud cannot enforce; the message names it."""


@dataclass(frozen=True)
class MethodSecurity:
    authorization_type: str  # NONE or CUSTOM
    authorizer_id: str | None
    api_key_required: bool


def security_schemes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemes = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes")
    return dict(schemes or {})


def _is_api_key_scheme(scheme: dict[str, Any]) -> bool:
    return (
        scheme.get("type") == "apiKey"
        and str(scheme.get("name", "")).lower() == "x-api-key"
        and scheme.get("in") == "header"
        and _AUTHORIZER_KEY not in scheme
    )


def unsupported_authorizer(name: str, authorizer_type: str) -> UnsupportedSecurity:
    return UnsupportedSecurity(
        f"Authorizer {name} of type {authorizer_type} is not supported by the local cloud "
        f"(supported: Lambda authorizers of type {' and '.join(_SUPPORTED_AUTHORIZERS)})"
    )


def import_authorizers(api: Any, body: dict[str, Any]) -> dict[str, str]:
    """Replace the authorizers an earlier body defined; returns scheme name -> authorizer id.

    An authorizer keeps its id across re-imports when its name is unchanged (updates in place).
    """
    previous = {a.name: a for a in list(api.authorizers.values()) if getattr(a, "lc_from_body", False)}
    for authorizer in previous.values():
        api.authorizers.pop(authorizer.id, None)
    ids: dict[str, str] = {}
    for name, scheme in security_schemes(body).items():
        definition = scheme.get(_AUTHORIZER_KEY)
        if not isinstance(definition, dict):
            continue
        authorizer_type = str(definition.get("type", "")).upper()
        if authorizer_type not in _SUPPORTED_AUTHORIZERS:
            raise unsupported_authorizer(name, authorizer_type or "(none)")
        source = definition.get("identitySource")
        if source is None and authorizer_type == "TOKEN":
            source = f"method.request.header.{scheme.get('name', 'Authorization')}"
        kept = previous.get(name)
        authorizer_id = (
            kept.id if kept is not None else "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
        )
        authorizer = apigw.Authorizer(
            authorizer_id=authorizer_id,
            name=name,
            authorizer_type=authorizer_type,
            auth_type=scheme.get(_AUTHTYPE_KEY),
            authorizer_uri=definition.get("authorizerUri"),
            authorizer_credentials=definition.get("authorizerCredentials"),
            identity_source=source,
            identity_validation_expression=definition.get("identityValidationExpression"),
            authorizer_result_ttl=definition.get("authorizerResultTtlInSeconds", 300),
        )
        authorizer.lc_from_body = True
        api.authorizers[authorizer_id] = authorizer
        ids[name] = authorizer_id
    return ids


def method_security(
    operation: dict[str, Any], body: dict[str, Any], authorizer_ids: dict[str, str]
) -> MethodSecurity:
    requirements = operation.get("security", body.get("security")) or []
    schemes = security_schemes(body)
    authorizer_id: str | None = None
    api_key = False
    for requirement in requirements:
        for name in requirement or {}:
            scheme = schemes.get(name)
            if name in authorizer_ids:
                authorizer_id = authorizer_ids[name]
            elif scheme is not None and _is_api_key_scheme(scheme):
                api_key = True
            elif scheme is not None and str(scheme.get(_AUTHTYPE_KEY, "")).lower() == "awssigv4":
                raise UnsupportedSecurity(
                    f"AWS_IAM authorization (security scheme {name}) is not supported by the local cloud"
                )
            elif scheme is not None and _AUTHORIZER_KEY in scheme:
                raise unsupported_authorizer(name, str(scheme[_AUTHORIZER_KEY].get("type", "")).upper())
            elif name != "NONE":
                raise UnsupportedSecurity(
                    f"Security scheme {name} is not supported by the local cloud (or is not defined)"
                )
    return MethodSecurity("CUSTOM" if authorizer_id else "NONE", authorizer_id, api_key)
