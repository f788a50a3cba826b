"""AWS::Lambda::Permission: a statement in the function's resource policy, named, and removed with its stack.

moto's own type adds the statement with a random id, has no physical id (an empty PhysicalResourceId in
every event) and never removes the statement. Here the statement id is the generated resource name
("<stack>-<logical id>-<suffix>"), which is also the physical id; deleting the resource removes the
statement (the API's invoke rights then go with it, as on AWS).
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
"""

import json
from typing import Any

from ._moto import awslambda
from .cfn_provider import ResourceProvider

_STATEMENT_FIELDS = (
    "Action",
    "Principal",
    "SourceArn",
    "SourceAccount",
    "EventSourceToken",
    "PrincipalOrgID",
    "FunctionUrlAuthType",
)


def _backend(account_id: str, region_name: str) -> Any:
    return awslambda.lambda_backends[account_id][region_name]


class PermissionResource(ResourceProvider):
    def __init__(self, account_id: str, region_name: str, function_name: str, statement_id: str) -> None:
        super().__init__(account_id, region_name)
        self.function_name = function_name
        self.statement_id = statement_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Permission"  # no such property: the name is always generated

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Permission"

    @property
    def physical_resource_id(self) -> str:
        return self.statement_id

    @classmethod
    def _add(cls, account_id: str, region_name: str, statement_id: str, properties: dict[str, Any]) -> None:
        statement = {key: properties[key] for key in _STATEMENT_FIELDS if key in properties}
        statement["StatementId"] = statement_id
        _backend(account_id, region_name).add_permission(
            properties["FunctionName"], None, json.dumps(statement)
        )

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "PermissionResource":
        properties = cloudformation_json["Properties"]
        cls._add(account_id, region_name, resource_name, properties)
        return cls(account_id, region_name, str(properties["FunctionName"]), resource_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "PermissionResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "PermissionResource":
        # Every property is create-only (the engine replaces the resource); this only re-states it.
        original_resource.delete(account_id, region_name)
        cls._add(account_id, region_name, original_resource.statement_id, cloudformation_json["Properties"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        try:
            function = backend.get_function(self.function_name)
        except Exception:  # the function went first: its policy went with it
            return
        function.policy.del_statement(self.statement_id)
