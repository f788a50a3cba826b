"""AWS::ApiGateway::Stage: created, updated in place and deleted through moto's own Stage objects.

Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-stage.html
"""

from typing import Any

from ._moto import BadRequestException, apigw
from .cfn_provider import ResourceProvider

# Execution logging needs the account-level CloudWatch role (AWS::ApiGateway::Account) first.
_LOGS_ROLE_MISSING = "CloudWatch Logs role ARN must be set in account settings to enable logging"


def _method_settings(settings: list[dict[str, Any]]) -> dict[str, Any]:
    """CloudFormation's MethodSettings list -> the API's '{resourcePath}/{httpMethod}' keyed map."""
    result: dict[str, Any] = {}
    for setting in settings:
        path = setting.get("ResourcePath", "/*")
        key = f"{path.lstrip('/') or '*'}/{setting.get('HttpMethod', '*')}"
        result[key] = {
            "metricsEnabled": bool(setting.get("MetricsEnabled", False)),
            "loggingLevel": setting.get("LoggingLevel", "OFF"),
            "dataTraceEnabled": bool(setting.get("DataTraceEnabled", False)),
            "throttlingBurstLimit": int(setting.get("ThrottlingBurstLimit", 5000)),
            "throttlingRateLimit": float(setting.get("ThrottlingRateLimit", 10000.0)),
            "cachingEnabled": bool(setting.get("CachingEnabled", False)),
            "cacheTtlInSeconds": int(setting.get("CacheTtlInSeconds", 300)),
            "cacheDataEncrypted": bool(setting.get("CacheDataEncrypted", False)),
            "requireAuthorizationForCacheControl": True,
            "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
        }
    return result


def _apply(backend: Any, stage: Any, properties: dict[str, Any]) -> None:
    settings = properties.get("MethodSettings") or []
    wants_logs = any(s.get("LoggingLevel", "OFF") != "OFF" or s.get("DataTraceEnabled") for s in settings)
    if wants_logs and not backend.account.cloudwatch_role_arn:
        raise BadRequestException(_LOGS_ROLE_MISSING)
    stage.deployment_id = properties.get("DeploymentId")
    stage.description = properties.get("Description", "")
    stage.variables = dict(properties.get("Variables") or {})
    stage.tracing_enabled = bool(properties.get("TracingEnabled", False))
    stage.method_settings = _method_settings(settings)
    access = properties.get("AccessLogSetting")
    stage.access_log_settings = (
        {"destinationArn": access.get("DestinationArn"), "format": access.get("Format")} if access else None
    )
    stage.cache_cluster_enabled = bool(properties.get("CacheClusterEnabled", False))
    stage.tags = {t["Key"]: t["Value"] for t in properties.get("Tags") or []} or None


class StageResource(ResourceProvider):
    """A CloudFormation handle on one moto Stage (the data plane reads the Stage itself)."""

    def __init__(self, account_id: str, region_name: str, rest_api_id: str, stage_name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.rest_api_id = rest_api_id
        self.stage_name = stage_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StageName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Stage"

    @property
    def physical_resource_id(self) -> str:
        return self.stage_name

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "StageResource":
        properties = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        api = backend.get_rest_api(properties["RestApiId"])
        stage_name = properties.get("StageName") or resource_name
        stage = api.create_stage(
            stage_name,
            properties.get("DeploymentId"),
            variables=None,
            description="",
            cacheClusterEnabled=None,
            cacheClusterSize=None,
            tags=None,
            tracing_enabled=None,
        )
        try:
            _apply(backend, stage, properties)
        except BadRequestException:
            api.stages.pop(stage_name, None)
            raise
        return cls(account_id, region_name, api.id, stage_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "StageResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "StageResource":
        # RestApiId and StageName are create-only: the engine replaces the stage when they change.
        properties = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        _apply(
            backend,
            backend.get_stage(original_resource.rest_api_id, original_resource.stage_name),
            properties,
        )
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = apigw.apigateway_backends[account_id][region_name]
        api = backend.apis.get(self.rest_api_id)
        if api is not None and self.stage_name in api.stages:
            backend.delete_stage(self.rest_api_id, self.stage_name)  # refused while a mapping uses it
