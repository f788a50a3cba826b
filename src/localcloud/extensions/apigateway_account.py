"""AWS::ApiGateway::Account: the account-level CloudWatch Logs role that stage execution logging needs.

Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-account.html
"""

from typing import Any

from ._moto import apigw
from .cfn_provider import ResourceProvider


class AccountResource(ResourceProvider):
    def __init__(self, account_id: str, region_name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::Account"

    @property
    def physical_resource_id(self) -> str:
        return f"{self.account_id}-{self.region_name}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "AccountResource":
        account = apigw.apigateway_backends[account_id][region_name].account
        account.cloudwatch_role_arn = cloudformation_json["Properties"].get("CloudWatchRoleArn")
        return cls(account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "AccountResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AccountResource":
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    def delete(self, account_id: str, region_name: str) -> None:
        # AWS keeps the account setting when the resource is deleted; so does the local cloud.
        return None
