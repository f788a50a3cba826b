"""Moves the live mapping through CloudFormation: a change set on the custom-domain stack that changes ONLY
ActiveApiId and ActiveApiStage (same template, every other parameter UsePreviousValue)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from bluegreen.aws import IN_PROGRESS_SUFFIX, Aws, ResourceChange, StackEvent, StackInfo
from bluegreen.errors import ChangeFailed

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

SWITCHED_PARAMETERS = ("ActiveApiId", "ActiveApiStage")
CHANGE_SET_PREFIX = "bluegreen-"
EventSink = Callable[[StackEvent], None]


@dataclass(frozen=True)
class Plan:
    change_set_id: str
    changes: tuple[ResourceChange, ...]
    empty: bool
    api_id: str
    stage: str
    # The switched parameters' values before the change, for the before -> after display.
    before: tuple[tuple[str, str], ...] = ()

    def parameter_changes(self) -> list[tuple[str, str, str]]:
        """(name, before, after) of each switched parameter this plan changes."""
        previous = dict(self.before)
        after = {"ActiveApiId": self.api_id, "ActiveApiStage": self.stage}
        return [
            (key, previous.get(key, "?"), value) for key, value in after.items() if previous.get(key) != value
        ]


class StackUpdater(Protocol):
    def plan(self, api_id: str, stage: str, label: str) -> Plan: ...
    def discard(self, plan: Plan) -> None: ...
    def apply(self, plan: Plan, on_event: EventSink) -> StackInfo: ...
    def settle(self, on_event: EventSink) -> StackInfo: ...
    def discard_leftovers(self) -> list[str]: ...


def switch_parameters(current: Sequence[str], api_id: str, stage: str) -> list[ParameterTypeDef]:
    """The change set's Parameters: the two switched values, every other parameter kept as it is."""
    kept: list[ParameterTypeDef] = [
        {"ParameterKey": key, "UsePreviousValue": True} for key in current if key not in SWITCHED_PARAMETERS
    ]
    return [
        *kept,
        {"ParameterKey": "ActiveApiId", "ParameterValue": api_id},
        {"ParameterKey": "ActiveApiStage", "ParameterValue": stage},
    ]


class CloudFormationUpdater:
    def __init__(
        self,
        aws: Aws,
        stack_name: str,
        capabilities: Sequence[str],
        clock: Callable[[], float],
        timeout: float = 1800.0,
    ) -> None:
        self._aws = aws
        self._stack_name = stack_name
        self._capabilities = tuple(capabilities)
        self._clock = clock
        self._timeout = timeout

    def plan(self, api_id: str, stage: str, label: str) -> Plan:
        stack = self._aws.require_stack(self._stack_name)
        name = re.sub(r"[^A-Za-z0-9-]", "-", f"{CHANGE_SET_PREFIX}{label}-{int(self._clock() * 1000)}")[:128]
        try:
            change_set_id = self._aws.create_update_change_set(
                self._stack_name,
                name,
                switch_parameters(list(stack.parameters), api_id, stage),
                self._capabilities,
                description=f"bluegreen {label}: live API -> {api_id}/{stage}",
            )
        except ClientError as exc:
            # Some endpoints refuse an empty change set at creation instead of marking it FAILED.
            if "No updates are to be performed" not in str(exc):
                raise
            return self._empty_plan(stack, name, api_id, stage)
        info = self._aws.wait_change_set(self._stack_name, change_set_id)
        if info.status == "CREATE_COMPLETE":
            before = tuple((key, stack.parameters.get(key, "")) for key in SWITCHED_PARAMETERS)
            return Plan(change_set_id, info.changes, empty=False, api_id=api_id, stage=stage, before=before)
        self._aws.delete_change_set(self._stack_name, change_set_id)
        if info.is_empty:
            return self._empty_plan(stack, change_set_id, api_id, stage)
        raise ChangeFailed(f"change set for {self._stack_name} failed: {info.reason or info.status}")

    def _empty_plan(self, stack: StackInfo, change_set_id: str, api_id: str, stage: str) -> Plan:
        current = (stack.parameters.get("ActiveApiId"), stack.parameters.get("ActiveApiStage"))
        if current != (api_id, stage):
            # Nothing to change yet the stack names another API: CloudFormation cannot move the mapping.
            raise ChangeFailed(
                f"CloudFormation reports no changes for {self._stack_name}, but it names "
                f"{current[0]}/{current[1]}, not {api_id}/{stage}"
            )
        return Plan(change_set_id, (), empty=True, api_id=api_id, stage=stage)

    def discard(self, plan: Plan) -> None:
        if not plan.empty:
            self._aws.delete_change_set(self._stack_name, plan.change_set_id)

    def apply(self, plan: Plan, on_event: EventSink) -> StackInfo:
        if plan.empty:
            return self._aws.require_stack(self._stack_name)
        since = self._aws.latest_event_id(self._stack_name)
        self._aws.execute_change_set(self._stack_name, plan.change_set_id)
        stack = self._aws.follow_stack(self._stack_name, on_event, since, self._timeout)
        if stack.status != "UPDATE_COMPLETE":
            reason = f": {stack.status_reason}" if stack.status_reason else ""
            raise ChangeFailed(f"update of {self._stack_name} ended {stack.status}{reason}")
        return stack

    def settle(self, on_event: EventSink) -> StackInfo:
        """Waits out an update still in progress (for example one a killed switch started)."""
        stack = self._aws.require_stack(self._stack_name)
        if not stack.status.endswith(IN_PROGRESS_SUFFIX):
            return stack
        return self._aws.follow_stack(
            self._stack_name, on_event, self._aws.latest_event_id(self._stack_name), self._timeout
        )

    def discard_leftovers(self) -> list[str]:
        """Deletes our change sets an interrupted run left behind (never executed, or failed); their names."""
        deleted = []
        for summary in self._aws.list_change_sets(self._stack_name):
            unused = summary.execution_status in ("AVAILABLE", "UNAVAILABLE") or summary.status == "FAILED"
            if summary.name.startswith(CHANGE_SET_PREFIX) and unused:
                self._aws.delete_change_set(self._stack_name, summary.change_set_id)
                deleted.append(summary.name)
        return deleted
