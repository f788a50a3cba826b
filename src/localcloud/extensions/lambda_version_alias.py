"""AWS::Lambda::Version answers Ref (the version ARN) and GetAtt Version; AWS::Lambda::Alias exists.

SAM's AutoPublishAlias emits a Version and an Alias whose FunctionVersion is `!GetAtt <Version>.Version`.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-version.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-alias.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import UnformattedGetAttTemplateException, awslambda
from .cfn_provider import ResourceProvider


def _version_create(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    version = _original_version_create(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    function = awslambda.lambda_backends[account_id][region_name].get_function(
        cloudformation_json["Properties"]["FunctionName"]
    )
    version.function_arn = function.function_arn.split(":$LATEST")[0]
    return version


_original_version_create = awslambda.LambdaVersion.create_from_cloudformation_json


def _version_attribute(self: Any, attribute_name: str) -> Any:
    if attribute_name == "Version":
        return str(self.version)
    if attribute_name == "FunctionArn":
        return self.function_arn
    raise UnformattedGetAttTemplateException()


class AliasResource(ResourceProvider):
    def __init__(self, account_id: str, region_name: str, function_name: str, name: str, arn: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.function_name = function_name
        self.name = name
        self.arn = arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Alias"

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    ATTRIBUTES = frozenset({"AliasArn"})

    def attribute(self, name: str) -> Any:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "AliasResource":
        properties = cloudformation_json["Properties"]
        backend = awslambda.lambda_backends[account_id][region_name]
        function_name = backend.get_function(properties["FunctionName"]).function_name
        alias = backend.create_alias(
            properties["Name"],
            function_name,
            str(properties["FunctionVersion"]),
            properties.get("Description", ""),
            properties.get("RoutingConfig"),
        )
        return cls(account_id, region_name, function_name, properties["Name"], alias.arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "AliasResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AliasResource":
        properties = cloudformation_json["Properties"]
        backend = awslambda.lambda_backends[account_id][region_name]
        # FunctionName and Name are create-only: the engine replaces the alias when they change.
        backend.update_alias(
            original_resource.name,
            original_resource.function_name,
            str(properties["FunctionVersion"]),
            properties.get("Description", ""),
            properties.get("RoutingConfig"),
        )
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        awslambda.lambda_backends[account_id][region_name].delete_alias(self.name, self.function_name)


def _version_has_attribute(cls: Any, attr: str) -> bool:
    return attr in {"Version", "FunctionArn"}


_VERSION = awslambda.LambdaVersion
register(
    __name__,
    Patch(
        _VERSION,
        "create_from_cloudformation_json",
        "a Version knows its function's ARN",
        new=classmethod(_version_create),
    ),
    Patch(
        _VERSION,
        "physical_resource_id",
        "Ref on a Version is the version ARN",
        new=property(lambda self: f"{self.function_arn}:{self.version}"),
        adds=True,
    ),
    Patch(
        _VERSION, "has_cfn_attr", "GetAtt Version and FunctionArn", new=classmethod(_version_has_attribute)
    ),
    Patch(_VERSION, "get_cfn_attribute", "GetAtt Version and FunctionArn", new=_version_attribute, adds=True),
)
