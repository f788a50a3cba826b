"""DescribeStackResource(s) and ListStackResources report each resource's own last status and time.

moto reports the stack's status (or a fixed CREATE_COMPLETE) for every resource.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceSummary.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import cfn_responses


def _known(stack: Any, logical_id: str | None) -> tuple[str, Any, str | None] | None:
    statuses: dict[str, tuple[str, Any, str | None]] = getattr(stack, "lc_resource_status", {})
    return statuses.get(logical_id or "")


def _dto_init(self: Any, stack: Any, resource: Any) -> None:
    _original_dto_init(self, stack, resource)
    known = _known(stack, self.logical_resource_id)
    if known:
        self.resource_status, self.timestamp, self.resource_status_reason = known
        self.last_updated_timestamp = known[1]


_original_dto_init = cfn_responses.StackResourceDTO.__init__


def _list_stack_resources(self: Any) -> Any:
    stack, resources = self.cloudformation_backend.list_stack_resources(self._get_param("StackName"))
    summaries = []
    for resource in resources:
        logical_id = getattr(resource, "logical_resource_id", "")
        status, timestamp, reason = _known(stack, logical_id) or (
            "CREATE_COMPLETE",
            stack.creation_time,
            None,
        )
        summary = {
            "LogicalResourceId": logical_id,
            "PhysicalResourceId": getattr(resource, "physical_resource_id", ""),
            "ResourceType": getattr(resource, "cf_resource_type", ""),
            "ResourceStatus": status,
            "LastUpdatedTimestamp": timestamp,
        }
        if reason:
            summary["ResourceStatusReason"] = reason
        summaries.append(summary)
    return cfn_responses.ActionResult({"StackResourceSummaries": summaries})


register(
    __name__,
    Patch(
        cfn_responses.StackResourceDTO,
        "__init__",
        "DescribeStackResource(s) report each resource's own status",
        new=_dto_init,
    ),
    Patch(
        cfn_responses.CloudFormationResponse,
        "list_stack_resources",
        "ListStackResources reports each resource's own status",
        new=_list_stack_resources,
    ),
)
