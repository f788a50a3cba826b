"""AWS::Lambda::Version answers Ref (the version ARN) and GetAtt Version; AWS::Lambda::Alias exists.

SAM's AutoPublishAlias emits a Version and an Alias whose FunctionVersion is `!GetAtt <Version>.Version`.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-version.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-alias.html
"""

from typing import Any

from ._moto import CloudFormationModel, UnformattedGetAttTemplateException, awslambda


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


class AliasResource(CloudFormationModel):  # type: ignore[misc]
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

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "AliasArn"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "AliasArn":
            return self.arn
        raise UnformattedGetAttTemplateException()

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
        if properties["Name"] != original_resource.name:
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return new
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

    def is_created(self) -> bool:
        return True


def install() -> None:
    version = awslambda.LambdaVersion
    version.create_from_cloudformation_json = classmethod(_version_create)
    version.physical_resource_id = property(lambda self: f"{self.function_arn}:{self.version}")
    version.has_cfn_attr = classmethod(lambda cls, attr: attr in {"Version", "FunctionArn"})
    version.get_cfn_attribute = _version_attribute
