"""AWS::ApiGateway::RequestValidator and AWS::ApiGateway::Model on moto's RequestValidator and Model objects.

A Method's RequestValidatorId and RequestModels name them; the data plane enforces them.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-requestvalidator.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-model.html
"""

import json
import secrets
import string
from typing import Any

from ._moto import apigw
from .cfn_provider import ResourceProvider

_ID_ALPHABET = string.ascii_lowercase + string.digits


def _api(account_id: str, region_name: str, api_id: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name].get_rest_api(api_id)


class RequestValidatorResource(ResourceProvider):
    """RestApiId and Name are create-only; the two flags update the same validator."""

    ATTRIBUTES = frozenset({"RequestValidatorId"})

    def __init__(self, account_id: str, region_name: str, rest_api_id: str, validator_id: str) -> None:
        super().__init__(account_id, region_name)
        self.rest_api_id = rest_api_id
        self.validator_id = validator_id

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::RequestValidator"

    @property
    def physical_resource_id(self) -> str:
        return self.validator_id

    def attribute(self, name: str) -> Any:
        return self.validator_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "RequestValidatorResource":
        properties = cloudformation_json["Properties"]
        api = _api(account_id, region_name, properties["RestApiId"])
        validator = api.create_request_validator(
            properties.get("Name") or resource_name,
            bool(properties.get("ValidateRequestBody", False)),
            bool(properties.get("ValidateRequestParameters", False)),
        )
        return cls(account_id, region_name, str(api.id), str(validator.id))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "RequestValidatorResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "RequestValidatorResource":
        properties = cloudformation_json["Properties"]
        api = _api(account_id, region_name, original_resource.rest_api_id)
        validator = api.request_validators[original_resource.validator_id]
        validator.validate_request_body = bool(properties.get("ValidateRequestBody", False))
        validator.validate_request_parameters = bool(properties.get("ValidateRequestParameters", False))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        api = apigw.apigateway_backends[account_id][region_name].apis.get(self.rest_api_id)
        if api is not None:
            api.request_validators.pop(self.validator_id, None)


class ModelResource(ResourceProvider):
    """RestApiId, Name and ContentType are create-only; Schema and Description update the same model."""

    def __init__(self, account_id: str, region_name: str, rest_api_id: str, name: str) -> None:
        super().__init__(account_id, region_name)
        self.rest_api_id = rest_api_id
        self.name = name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Model"

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "ModelResource":
        properties = cloudformation_json["Properties"]
        api = _api(account_id, region_name, properties["RestApiId"])
        # A generated name is alphanumeric, as AWS requires of model names.
        name = (
            properties.get("Name")
            or f"{resource_name}{''.join(secrets.choice(_ID_ALPHABET) for _ in range(8))}"
        )
        if name in api.models:
            raise ValueError(f"Another Model with the same name already exists: {name}")
        _put(api, name, properties)
        return cls(account_id, region_name, str(api.id), name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "ModelResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "ModelResource":
        api = _api(account_id, region_name, original_resource.rest_api_id)
        _put(api, original_resource.name, cloudformation_json["Properties"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        api = apigw.apigateway_backends[account_id][region_name].apis.get(self.rest_api_id)
        if api is not None:
            api.models.pop(self.name, None)


def _put(api: Any, name: str, properties: dict[str, Any]) -> None:
    schema = properties.get("Schema")
    api.add_model(
        name=name,
        description=properties.get("Description"),
        schema=schema if isinstance(schema, str) or schema is None else json.dumps(schema),
        content_type=properties.get("ContentType") or "application/json",
    )
