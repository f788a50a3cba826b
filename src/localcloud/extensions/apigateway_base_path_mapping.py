"""Base path mappings: one atomic (restApiId, stage) target, AWS's conflict rules, the CloudFormation type.

- RestApiId / Stage changes update the mapping in place; BasePath / DomainName changes replace it (new first).
  Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-basepathmapping.html
- Create conflicts answer 409 ConflictException like API Gateway does.
  Doc: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateBasePathMapping.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import (
    BasePathConflictException,
    ConflictException,
    InvalidRestApiIdForBasePathMappingException,
    InvalidStageException,
    apigw,
)
from .cfn_provider import ResourceProvider

EMPTY_BASE_PATH = "(none)"  # how API Gateway names the empty base path
ONLY_ONE_IF_EMPTY = "Only one base path mapping is allowed if the base path is empty."

Target = tuple[str, str | None]


# --- one atomic target ----------------------------------------------------------------------------
# A reader must never see the new API with the old stage: both live in one tuple, replaced in one assignment.


def _get_rest_api_id(self: Any) -> str:
    return str(self.target[0])


def _set_rest_api_id(self: Any, value: str) -> None:
    self.target = (value, self.__dict__.get("target", (None, None))[1])


def _get_stage(self: Any) -> str | None:
    stage: str | None = self.target[1]
    return stage


def _set_stage(self: Any, value: str | None) -> None:
    self.target = (self.__dict__.get("target", (None, None))[0], value)


def _apply_patch_operations(self: Any, patch_operations: list[dict[str, Any]]) -> None:
    rest_api_id, stage = self.target
    for op in patch_operations:
        if op["op"] != "replace":
            continue
        if op["path"] == "/restapiId":
            rest_api_id = op["value"]
        elif op["path"] == "/stage":
            stage = op["value"]
        elif op["path"] == "/basePath":
            self.base_path = op["value"] or EMPTY_BASE_PATH
    self.target = (rest_api_id, stage)


# --- AWS's conflict rules on create ---------------------------------------------------------------


def _create_base_path_mapping(
    self: Any, domain_name: str, rest_api_id: str, base_path: str, stage: str
) -> Any:
    existing = self.base_path_mappings.get(domain_name) or {}
    new_path = base_path or EMPTY_BASE_PATH
    if existing and (new_path == EMPTY_BASE_PATH or EMPTY_BASE_PATH in existing):
        raise ConflictException(ONLY_ONE_IF_EMPTY)
    if new_path in existing:
        raise BasePathConflictException()
    return _original_create(self, domain_name, rest_api_id, base_path, stage)


_original_create = apigw.APIGatewayBackend.create_base_path_mapping


# --- the CloudFormation resource ------------------------------------------------------------------


class BasePathMappingResource(ResourceProvider):
    """A CloudFormation handle on one moto BasePathMapping (the data plane reads the mapping itself)."""

    def __init__(self, account_id: str, region_name: str, domain_name: str, base_path: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.domain_name = domain_name
        self.base_path = base_path

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ApiGateway::BasePathMapping"

    @property
    def physical_resource_id(self) -> str:
        # AWS's physical id of a mapping is "<domain>/<basePath>" ("" for the empty path).
        shown = "" if self.base_path == EMPTY_BASE_PATH else self.base_path
        return f"{self.domain_name}/{shown}"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "BasePathMappingResource":
        properties = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        mapping = backend.create_base_path_mapping(
            properties["DomainName"],
            properties.get("RestApiId"),
            properties.get("BasePath") or "",
            properties.get("Stage"),
        )
        return cls(account_id, region_name, properties["DomainName"], mapping.base_path)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "BasePathMappingResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "BasePathMappingResource":
        # BasePath and DomainName are create-only: the engine replaces the mapping, new one first (it may
        # conflict, like on AWS). Here only the target changes, in place.
        properties = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        mapping = backend.get_base_path_mapping(original_resource.domain_name, original_resource.base_path)
        target: Target = (properties.get("RestApiId"), properties.get("Stage"))
        api = backend.apis.get(target[0])
        if api is None:
            raise InvalidRestApiIdForBasePathMappingException()
        if target[1] and target[1] not in api.stages:
            raise InvalidStageException()
        mapping.target = target  # in place, one assignment
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        mappings = apigw.apigateway_backends[account_id][region_name].base_path_mappings
        mappings.get(self.domain_name, {}).pop(self.base_path, None)


register(
    __name__,
    Patch(
        apigw.BasePathMapping,
        "rest_api_id",
        "a mapping's API and stage are one atomic target",
        new=property(_get_rest_api_id, _set_rest_api_id),
        adds=True,
    ),
    Patch(
        apigw.BasePathMapping,
        "stage",
        "a mapping's API and stage are one atomic target",
        new=property(_get_stage, _set_stage),
        adds=True,
    ),
    Patch(
        apigw.BasePathMapping,
        "apply_patch_operations",
        "UpdateBasePathMapping replaces API and stage in one assignment",
        new=_apply_patch_operations,
    ),
    Patch(
        apigw.APIGatewayBackend,
        "create_base_path_mapping",
        "CreateBasePathMapping conflicts answer 409 like API Gateway",
        new=_create_base_path_mapping,
    ),
)
