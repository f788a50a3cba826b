"""AWS::ApiGateway::GatewayResponse on moto's GatewayResponse objects (the data plane applies them).

Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-gatewayresponse.html
"""

import secrets
import string
from typing import Any

from ._moto import apigw
from .cfn_provider import ResourceProvider

_ID_ALPHABET = string.ascii_lowercase + string.digits


def put_from(api: Any, response_type: str, status: Any, parameters: Any, templates: Any) -> Any:
    return api.put_gateway_response(
        response_type, str(status) if status else None, dict(parameters or {}), dict(templates or {})
    )


class GatewayResponseResource(ResourceProvider):
    """RestApiId and ResponseType are create-only: changing them replaces the response."""

    def __init__(self, rest_api_id: str, response_type: str) -> None:
        self.rest_api_id = rest_api_id
        self.response_type = response_type
        self.id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::GatewayResponse"

    @property
    def physical_resource_id(self) -> str:
        return self.id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "GatewayResponseResource":
        properties = cloudformation_json["Properties"]
        api = apigw.apigateway_backends[account_id][region_name].get_rest_api(properties["RestApiId"])
        put_from(
            api,
            properties["ResponseType"],
            properties.get("StatusCode"),
            properties.get("ResponseParameters"),
            properties.get("ResponseTemplates"),
        )
        return cls(api.id, properties["ResponseType"])

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "GatewayResponseResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "GatewayResponseResource":
        properties = cloudformation_json["Properties"]
        same = (properties["RestApiId"], properties["ResponseType"]) == (
            original_resource.rest_api_id,
            original_resource.response_type,
        )
        if not same:
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        api = apigw.apigateway_backends[account_id][region_name].get_rest_api(original_resource.rest_api_id)
        put_from(
            api,
            original_resource.response_type,
            properties.get("StatusCode"),
            properties.get("ResponseParameters"),
            properties.get("ResponseTemplates"),
        )
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        api = apigw.apigateway_backends[account_id][region_name].apis.get(self.rest_api_id)
        if api is not None:
            api.gateway_responses.pop(self.response_type, None)
