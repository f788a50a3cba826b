"""AWS::ApiGateway::ApiKey, UsagePlan and UsagePlanKey on moto's own objects (SAM's Auth.UsagePlan).

The data plane checks `x-api-key` against these objects (dataplane/api_keys.py).
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-apikey.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-usageplan.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-usageplankey.html
"""

from typing import Any

from ._moto import apigw
from .cfn_provider import ResourceProvider


def _backend(account_id: str, region_name: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name]


def _tags(properties: dict[str, Any]) -> dict[str, str] | None:
    return {t["Key"]: t["Value"] for t in properties.get("Tags") or []} or None


class _Handle:
    """A CloudFormation handle on one moto object, named by its id.

    A mixin of the shared id handling; each resource type also subclasses ResourceProvider.
    """

    def __init__(self, account_id: str, region_name: str, object_id: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.object_id = object_id

    @property
    def physical_resource_id(self) -> str:
        return self.object_id


class ApiKeyResource(_Handle, ResourceProvider):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::ApiKey"

    ATTRIBUTES = frozenset({"APIKeyId"})

    def attribute(self, name: str) -> Any:
        return self.object_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "ApiKeyResource":
        properties = cloudformation_json.get("Properties") or {}
        payload: dict[str, Any] = {
            "name": properties.get("Name") or resource_name,
            "description": properties.get("Description"),
            "enabled": bool(properties.get("Enabled", False)),  # CloudFormation's default: disabled
            "customerId": properties.get("CustomerId"),
            "stageKeys": [
                {"restApiId": k.get("RestApiId"), "stageName": k.get("StageName")}
                for k in properties.get("StageKeys") or []
            ],
            "tags": _tags(properties),
        }
        if properties.get("Value"):
            payload["value"] = properties["Value"]
        key = _backend(account_id, region_name).create_api_key(payload)
        return cls(account_id, region_name, key.id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "ApiKeyResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ApiKeyResource":
        properties = cloudformation_json.get("Properties") or {}
        key = _backend(account_id, region_name).get_api_key(original_resource.object_id)
        # Name, Value and GenerateDistinctId are create-only; a generated name is not a change.
        replaced = properties.get("Value") not in (None, key.value) or properties.get("Name") not in (
            None,
            key.name,
        )
        if replaced:
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        key.description = properties.get("Description")
        key.enabled = bool(properties.get("Enabled", False))
        key.customer_id = properties.get("CustomerId")
        key.tags = _tags(properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        backend.keys.pop(self.object_id, None)
        for plan_keys in backend.usage_plan_keys.values():
            plan_keys.pop(self.object_id, None)


def _throttle(settings: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in {"burstLimit": settings.get("BurstLimit"), "rateLimit": settings.get("RateLimit")}.items()
        if v is not None
    }


def _api_stage(stage: dict[str, Any]) -> dict[str, Any]:
    """An ApiStage with its per-method throttles ("/pets/GET" -> limits), as GetUsagePlan shows them."""
    result: dict[str, Any] = {"apiId": stage.get("ApiId"), "stage": stage.get("Stage")}
    if stage.get("Throttle"):
        result["throttle"] = {method: _throttle(limits or {}) for method, limits in stage["Throttle"].items()}
    return result


def _usage_plan_payload(properties: dict[str, Any], resource_name: str) -> dict[str, Any]:
    throttle = properties.get("Throttle") or {}
    quota = properties.get("Quota") or {}
    return {
        "name": properties.get("UsagePlanName") or resource_name,
        "description": properties.get("Description"),
        "apiStages": [_api_stage(s) for s in properties.get("ApiStages") or []],
        "throttle": _throttle(throttle),
        "quota": {
            k: v
            for k, v in {
                "limit": quota.get("Limit"),
                "offset": quota.get("Offset"),
                "period": quota.get("Period"),
            }.items()
            if v is not None
        },
        "tags": _tags(properties),
    }


class UsagePlanResource(_Handle, ResourceProvider):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "UsagePlanName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::UsagePlan"

    ATTRIBUTES = frozenset({"Id"})

    def attribute(self, name: str) -> Any:
        return self.object_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "UsagePlanResource":
        properties = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        for stage in properties.get("ApiStages") or []:
            backend.get_stage(stage.get("ApiId"), stage.get("Stage"))  # NotFoundException when absent
        plan = backend.create_usage_plan(_usage_plan_payload(properties, resource_name))
        return cls(account_id, region_name, plan.id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "UsagePlanResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "UsagePlanResource":
        properties = cloudformation_json.get("Properties") or {}
        plan = _backend(account_id, region_name).get_usage_plan(original_resource.object_id)
        payload = _usage_plan_payload(properties, plan.name)
        plan.name, plan.description, plan.tags = payload["name"], payload["description"], payload["tags"]
        plan.api_stages, plan.throttle, plan.quota = (
            payload["apiStages"],
            payload["throttle"],
            payload["quota"],
        )
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        backend.usage_plans.pop(self.object_id, None)
        backend.usage_plan_keys.pop(self.object_id, None)


class UsagePlanKeyResource(_Handle, ResourceProvider):
    """Every property is create-only: a change replaces the key's membership."""

    def __init__(self, account_id: str, region_name: str, object_id: str, usage_plan_id: str) -> None:
        super().__init__(account_id, region_name, object_id)
        self.usage_plan_id = usage_plan_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::UsagePlanKey"

    ATTRIBUTES = frozenset({"Id"})

    def attribute(self, name: str) -> Any:
        return self.object_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "UsagePlanKeyResource":
        properties = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        plan_id = properties["UsagePlanId"]
        backend.get_usage_plan(plan_id)  # NotFoundException when absent
        key = backend.create_usage_plan_key(
            plan_id, {"keyId": properties["KeyId"], "keyType": properties.get("KeyType", "API_KEY")}
        )
        return cls(account_id, region_name, key.id, plan_id)

    def delete(self, account_id: str, region_name: str) -> None:
        plan_keys = _backend(account_id, region_name).usage_plan_keys.get(self.usage_plan_id) or {}
        plan_keys.pop(self.object_id, None)
