"""CloudFormation: stacks, change sets, events, and following an update until it settles."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError, WaiterError

from bluegreen.aws.base import FIRST_POLL, QUICK_POLLS_FOR, AwsBase, backoff, error_code
from bluegreen.errors import ConfigError, OperationFailed

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

SETTLED_SUFFIXES = ("_COMPLETE", "_FAILED")
IN_PROGRESS_SUFFIX = "_IN_PROGRESS"
CHANGE_SET_PENDING = frozenset({"CREATE_PENDING", "CREATE_IN_PROGRESS"})
QUIET_SUCCESS = frozenset({"UPDATE_COMPLETE", "CREATE_COMPLETE"})
UPDATE_STARTS = frozenset({"UPDATE_IN_PROGRESS", "CREATE_IN_PROGRESS"})


@dataclass(frozen=True)
class StackInfo:
    name: str
    stack_id: str
    status: str
    status_reason: str
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StackEvent:
    event_id: str
    timestamp: str
    logical_id: str
    resource_type: str
    status: str
    reason: str


@dataclass(frozen=True)
class ResourceChange:
    action: str
    logical_id: str
    resource_type: str
    replacement: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class ChangeSetInfo:
    change_set_id: str
    status: str
    reason: str
    changes: tuple[ResourceChange, ...]

    @property
    def is_empty(self) -> bool:
        """True when CloudFormation refused the change set because nothing would change."""
        text = self.reason.lower()
        return self.status == "FAILED" and ("didn't contain changes" in text or "no updates" in text)


@dataclass(frozen=True)
class ChangeSetSummary:
    change_set_id: str
    name: str
    status: str
    execution_status: str


class CloudFormationApi(AwsBase):
    def describe_stack(self, stack_name: str) -> StackInfo | None:
        """The stack as it is now, or None when it does not exist."""
        try:
            stacks = self.cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
        except ClientError as exc:
            if error_code(exc) == "ValidationError" and "does not exist" in str(exc):
                return None
            raise
        if not stacks:
            return None
        stack = stacks[0]
        return StackInfo(
            name=stack["StackName"],
            stack_id=stack.get("StackId", ""),
            status=stack["StackStatus"],
            status_reason=stack.get("StackStatusReason", ""),
            outputs={o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])},
            parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])},
        )

    def require_stack(self, stack_name: str) -> StackInfo:
        stack = self.describe_stack(stack_name)
        if stack is None:
            raise ConfigError(f"stack {stack_name} does not exist (deploy it first)")
        return stack

    def create_update_change_set(
        self,
        stack_name: str,
        change_set_name: str,
        parameters: Sequence[ParameterTypeDef],
        capabilities: Sequence[str],
        description: str,
    ) -> str:
        """An UPDATE change set on the stack's current template; returns its id."""
        response = self.cloudformation.create_change_set(
            StackName=stack_name,
            ChangeSetName=change_set_name,
            ChangeSetType="UPDATE",
            UsePreviousTemplate=True,
            Parameters=list(parameters),
            Capabilities=list(capabilities),  # type: ignore[arg-type]
            Description=description,
        )
        return response["Id"]

    def wait_change_set(self, stack_name: str, change_set_id: str, timeout: float = 300.0) -> ChangeSetInfo:
        """Waits for the change set to be created (or fail) and returns it with its changes; a FAILED change
        set (for example "no changes") is returned, not raised. Polls quickly first, then backs off (the
        waiter's fixed delay would add seconds to a change set that is ready at once)."""
        deadline = self.clock() + timeout
        delays = backoff(FIRST_POLL, self.poll_interval, QUICK_POLLS_FOR)
        while True:
            info = self.describe_change_set(stack_name, change_set_id)
            if info.status not in CHANGE_SET_PENDING or self.clock() >= deadline:
                return info
            self.sleep(next(delays))

    def describe_change_set(self, stack_name: str, change_set_id: str) -> ChangeSetInfo:
        changes: list[ResourceChange] = []
        status, reason = "", ""
        pages = self.pages(
            self.cloudformation, "describe_change_set", StackName=stack_name, ChangeSetName=change_set_id
        )
        for page in pages:
            status = page.get("Status", "")
            reason = page.get("StatusReason", "")
            for change in page.get("Changes", []):
                rc = change.get("ResourceChange", {})
                details = tuple(
                    d.get("Target", {}).get("Name", "") or d.get("Target", {}).get("Attribute", "")
                    for d in rc.get("Details", [])
                )
                changes.append(
                    ResourceChange(
                        action=rc.get("Action", ""),
                        logical_id=rc.get("LogicalResourceId", ""),
                        resource_type=rc.get("ResourceType", ""),
                        replacement=rc.get("Replacement", ""),
                        details=tuple(d for d in details if d),
                    )
                )
        return ChangeSetInfo(
            change_set_id=change_set_id, status=status, reason=reason, changes=tuple(changes)
        )

    def list_change_sets(self, stack_name: str) -> list[ChangeSetSummary]:
        return [
            ChangeSetSummary(
                change_set_id=summary.get("ChangeSetId", ""),
                name=summary.get("ChangeSetName", ""),
                status=summary.get("Status", ""),
                execution_status=summary.get("ExecutionStatus", ""),
            )
            for page in self.pages(self.cloudformation, "list_change_sets", StackName=stack_name)
            for summary in page.get("Summaries", [])
        ]

    def execute_change_set(self, stack_name: str, change_set_id: str) -> None:
        self.cloudformation.execute_change_set(StackName=stack_name, ChangeSetName=change_set_id)

    def delete_change_set(self, stack_name: str, change_set_id: str) -> None:
        self.cloudformation.delete_change_set(StackName=stack_name, ChangeSetName=change_set_id)

    def stack_events(self, stack_name: str) -> Iterator[StackEvent]:
        """Events newest first; callers stop iterating once they reach one they have seen."""
        for page in self.pages(self.cloudformation, "describe_stack_events", StackName=stack_name):
            for event in page.get("StackEvents", []):
                yield StackEvent(
                    event_id=event["EventId"],
                    timestamp=event["Timestamp"].isoformat() if "Timestamp" in event else "",
                    logical_id=event.get("LogicalResourceId", ""),
                    resource_type=event.get("ResourceType", ""),
                    status=event.get("ResourceStatus", ""),
                    reason=event.get("ResourceStatusReason", ""),
                )

    def latest_event_id(self, stack_name: str) -> str | None:
        return next((event.event_id for event in self.stack_events(stack_name)), None)

    def follow_stack(
        self,
        stack_name: str,
        on_event: Callable[[StackEvent], None],
        since_event_id: str | None,
        timeout: float,
    ) -> StackInfo:
        """Polls until the stack settles; returns the settled stack. Events are reported while the update
        runs and when it does not end *_COMPLETE (failure reasons); an update already complete at the first
        poll reports none (DescribeStackEvents lists the stack's whole history: its cost grows with every
        update). Without `since_event_id` the events start at the latest update's first one."""
        deadline = self.clock() + timeout
        delays = backoff(FIRST_POLL, self.poll_interval, QUICK_POLLS_FOR)
        last_seen = since_event_id
        reporting = False
        while True:
            stack = self.require_stack(stack_name)
            settled = not stack.status.endswith(IN_PROGRESS_SUFFIX)
            if settled and not reporting and stack.status in QUIET_SUCCESS:
                return stack
            reporting = True
            last_seen = self._report_events(stack_name, on_event, last_seen)
            if settled:
                return stack
            if self.clock() >= deadline:
                raise OperationFailed(f"stack {stack_name} still {stack.status} after {timeout:.0f}s")
            self.sleep(next(delays))

    def _report_events(
        self, stack_name: str, on_event: Callable[[StackEvent], None], last_seen: str | None
    ) -> str | None:
        """Reports the events newer than `last_seen` (without it: from the latest update's start), oldest
        first; returns the newest event's id."""
        fresh: list[StackEvent] = []
        for event in self.stack_events(stack_name):
            if event.event_id == last_seen:
                break
            fresh.append(event)
            if last_seen is None and event.logical_id == stack_name and event.status in UPDATE_STARTS:
                break  # the first event of the latest update
        for event in reversed(fresh):
            on_event(event)
        return fresh[0].event_id if fresh else last_seen

    def delete_stack(self, stack_name: str, timeout: float = 1800.0) -> None:
        self.cloudformation.delete_stack(StackName=stack_name)
        delay = max(1, int(self.poll_interval))
        try:
            self.cloudformation.get_waiter("stack_delete_complete").wait(
                StackName=stack_name,
                WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(timeout / delay))},
            )
        except WaiterError as exc:
            raise OperationFailed(f"deleting stack {stack_name} failed: {exc}") from None
