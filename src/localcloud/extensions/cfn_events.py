"""Stack events for every resource, with strictly increasing timestamps.

`sam deploy` streams DescribeStackEvents and skips events not newer than the last one it saw, so two events
in the same millisecond would be lost and its wait would never see the final stack status.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html
"""

from datetime import timedelta
from typing import Any

from localcloud.patches import Patch, register

from ._moto import cfn

_TICK = timedelta(milliseconds=1)


def _keep_increasing(stack: Any) -> None:
    events = stack.events
    if len(events) >= 2 and events[-1].timestamp <= events[-2].timestamp:
        events[-1].timestamp = events[-2].timestamp + _TICK


def resource_event(
    stack: Any,
    logical_id: str,
    resource_type: str,
    status: str,
    *,
    physical_id: str = "",
    reason: str | None = None,
    sets_status: bool = True,
) -> None:
    """An event about one resource; `sets_status=False` for a resource no longer the logical id's (the old
    one of a replacement, deleted in cleanup), whose events must not change what ListStackResources shows."""
    stack.events.append(
        cfn.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )
    _keep_increasing(stack)
    if not sets_status:
        return
    last = stack.events[-1]
    if not hasattr(stack, "lc_resource_status"):
        stack.lc_resource_status = {}
    stack.lc_resource_status[logical_id] = (status, last.timestamp, reason)


def stack_event(stack: Any, status: str, reason: str | None = None) -> None:
    """A stack-level event that also sets the stack's status and StackStatusReason (None clears it)."""
    stack.status = status
    stack.stack_status_reason = reason  # DescribeStacks' StackStatusReason
    _original_add_stack_event(stack, status, resource_status_reason=reason)
    _keep_increasing(stack)


def _add_stack_event(
    self: Any,
    resource_status: str,
    resource_status_reason: str | None = None,
    resource_properties: str | None = None,
) -> None:
    _original_add_stack_event(self, resource_status, resource_status_reason, resource_properties)
    _keep_increasing(self)


_original_add_stack_event = cfn.Stack._add_stack_event


register(
    __name__,
    Patch(cfn.Stack, "_add_stack_event", "stack event timestamps strictly increase", new=_add_stack_event),
)
