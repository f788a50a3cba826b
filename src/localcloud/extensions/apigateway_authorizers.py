"""AWS::ApiGateway::Authorizer (Lambda TOKEN / REQUEST) on moto's Authorizer objects; CreateAuthorizer fix.

Cognito user pool authorizers fail the stack naming the type: the local data plane cannot verify
their tokens. moto's CreateAuthorizer dropped identityValidationExpression; it is kept now.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-authorizer.html
      https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import apigw
from .apigateway_openapi_security import unsupported_authorizer
from .cfn_provider import ResourceProvider

_original_create_authorizer = apigw.RestAPI.create_authorizer


def _create_authorizer(self: Any, *args: Any, **kwargs: Any) -> Any:
    authorizer = _original_create_authorizer(self, *args, **kwargs)
    # moto passes the expression on under a misspelt name that Authorizer never reads.
    authorizer.identity_validation_expression = kwargs.get("identiy_validation_expression")
    return authorizer


def _apply(authorizer: Any, name: str, properties: dict[str, Any]) -> None:
    authorizer_type = str(properties.get("Type", "")).upper()
    if authorizer_type not in ("TOKEN", "REQUEST"):
        raise unsupported_authorizer(name, authorizer_type or "(none)")
    authorizer.name = name
    authorizer.type = authorizer_type
    authorizer.auth_type = properties.get("AuthType")
    authorizer.authorizer_uri = properties.get("AuthorizerUri")
    authorizer.authorizer_credentials = properties.get("AuthorizerCredentials")
    authorizer.identity_source = properties.get("IdentitySource")
    authorizer.identity_validation_expression = properties.get("IdentityValidationExpression")
    ttl = properties.get("AuthorizerResultTtlInSeconds")
    authorizer.authorizer_result_ttl = 300 if ttl is None else int(ttl)


class AuthorizerResource(ResourceProvider):
    """A CloudFormation handle on one moto Authorizer (the data plane reads the Authorizer itself)."""

    def __init__(self, account_id: str, region_name: str, rest_api_id: str, authorizer_id: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.rest_api_id = rest_api_id
        self.authorizer_id = authorizer_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Authorizer"

    @property
    def physical_resource_id(self) -> str:
        return self.authorizer_id

    ATTRIBUTES = frozenset({"AuthorizerId"})

    def attribute(self, name: str) -> Any:
        return self.authorizer_id

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "AuthorizerResource":
        properties = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        name = str(properties.get("Name") or resource_name)
        _apply(apigw.Authorizer(None, name, None), name, properties)  # refuse before creating anything
        authorizer = backend.create_authorizer(properties["RestApiId"], name, properties["Type"])
        _apply(authorizer, name, properties)
        return cls(account_id, region_name, properties["RestApiId"], authorizer.id)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "AuthorizerResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AuthorizerResource":
        properties = cloudformation_json["Properties"]
        if properties["RestApiId"] != original_resource.rest_api_id:  # create-only: replace
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
        backend = apigw.apigateway_backends[account_id][region_name]
        authorizer = backend.get_authorizer(original_resource.rest_api_id, original_resource.authorizer_id)
        _apply(authorizer, str(properties.get("Name") or new_resource_name), properties)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        api = apigw.apigateway_backends[account_id][region_name].apis.get(self.rest_api_id)
        if api is not None:
            api.authorizers.pop(self.authorizer_id, None)


register(
    __name__,
    Patch(
        apigw.RestAPI,
        "create_authorizer",
        "CreateAuthorizer keeps identityValidationExpression (moto drops it under a misspelt name)",
        new=_create_authorizer,
    ),
)
