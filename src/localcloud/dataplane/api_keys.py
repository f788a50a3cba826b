"""API keys on methods with apiKeyRequired: an enabled key, in a usage plan of this API stage.

The key comes from the `x-api-key` header (apiKeySource HEADER) or from the authorizer's
usageIdentifierKey (apiKeySource AUTHORIZER); anything else is 403 {"message":"Forbidden"}.
Doc: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localcloud.dataplane.gateway_errors import Forbidden
from localcloud.extensions._moto import apigw


@dataclass(frozen=True)
class ApiKeyIdentity:
    """What the integration sees as requestContext.identity.apiKey / apiKeyId."""

    value: str
    key_id: str
    plan: Any = field(default=None, compare=False, repr=False)  # moto's UsagePlan that admits the key


def _plans_of_stage(backend: Any, api_id: str, stage: str) -> list[str]:
    return [
        plan.id
        for plan in list(backend.usage_plans.values())
        if any(s.get("apiId") == api_id and s.get("stage") == stage for s in plan.api_stages or [])
    ]


def validate_api_key(api: Any, stage: str, presented: str | None) -> ApiKeyIdentity:
    """The key's identity, or 403 Forbidden when it is missing, unknown, disabled or not in a plan."""
    if not presented:
        raise Forbidden()
    backend = dict.__getitem__(dict.__getitem__(apigw.apigateway_backends, api.account_id), api.region_name)
    for plan_id in _plans_of_stage(backend, str(api.id), stage):
        for key_id in list((backend.usage_plan_keys.get(plan_id) or {}).keys()):
            key = backend.keys.get(key_id)
            if key is not None and key.value == presented and key.enabled:
                return ApiKeyIdentity(str(key.value), str(key.id), backend.usage_plans.get(plan_id))
    raise Forbidden()
