"""Moves the live mapping (or the preview rule) through CloudFormation: a change set on the custom-domain
stack that changes ONLY ActiveApiId and ActiveApiStage (or only the three Preview* parameters), same
template, every other parameter UsePreviousValue."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import ClientError

from bluegreen.aws import IN_PROGRESS_SUFFIX, Aws, ResourceChange, StackEvent, StackInfo
from bluegreen.errors import ChangeFailed

if TYPE_CHECKING:
    from mypy_boto3_cloudformation.type_defs import ParameterTypeDef

SWITCHED_PARAMETERS = ("ActiveApiId", "ActiveApiStage")
PREVIEW_PARAMETERS = ("PreviewColor", "PreviewApiId", "PreviewApiStage")
CHANGE_SET_PREFIX = "bluegreen-"
EventSink = Callable[[StackEvent], None]


@dataclass(frozen=True)
class Preview:
    """The preview rule as the custom-domain stack's parameters say: color "" means no preview."""

    color: str = ""
    api_id: str = ""
    stage: str = ""

    @property
    def active(self) -> bool:
        return bool(self.color or self.api_id or self.stage)

    def label(self) -> str:
        return f"{self.color} ({self.api_id}/{self.stage})" if self.active else "none"


@dataclass(frozen=True)
class Plan:
    change_set_id: str
    changes: tuple[ResourceChange, ...]
    empty: bool
    api_id: str
    stage: str
    preview: Preview | None = None  # set on a preview plan (an inactive Preview clears it)
    clears_preview: bool = False  # a switch plan that also empties the Preview* parameters
    # The changed parameters' values before the change, for the before -> after display.
    before: tuple[tuple[str, str], ...] = ()

    def parameter_changes(self) -> list[tuple[str, str, str]]:
        """(name, before, after) of each parameter this plan changes."""
        previous = dict(self.before)
        if self.preview is not None:
            after = preview_values(self.preview)
        else:
            after = {"ActiveApiId": self.api_id, "ActiveApiStage": self.stage}
            if self.clears_preview:
                after.update(preview_values(Preview()))
        return [
            (key, previous.get(key, "?"), value) for key, value in after.items() if previous.get(key) != value
        ]


class StackUpdater(Protocol):
    def plan(self, api_id: str, stage: str, label: str, *, clear_preview: bool = False) -> Plan: ...
    def plan_preview(self, preview: Preview, label: str) -> Plan: ...
    def preview(self) -> Preview: ...
    def discard(self, plan: Plan) -> None: ...
    def apply(self, plan: Plan, on_event: EventSink) -> StackInfo: ...
    def settle(self, on_event: EventSink) -> StackInfo: ...
    def discard_leftovers(self) -> list[str]: ...


def changed_parameters(current: Sequence[str], values: dict[str, str]) -> list[ParameterTypeDef]:
    """The change set's Parameters: `values` set, every other parameter kept as it is."""
    kept: list[ParameterTypeDef] = [
        {"ParameterKey": key, "UsePreviousValue": True} for key in current if key not in values
    ]
    changed: list[ParameterTypeDef] = [
        {"ParameterKey": key, "ParameterValue": value} for key, value in values.items()
    ]
    return [*kept, *changed]


def switch_parameters(current: Sequence[str], api_id: str, stage: str) -> list[ParameterTypeDef]:
    """The change set's Parameters: the two switched values, every other parameter kept as it is."""
    return changed_parameters(current, {"ActiveApiId": api_id, "ActiveApiStage": stage})


def preview_values(preview: Preview) -> dict[str, str]:
    return dict(zip(PREVIEW_PARAMETERS, (preview.color, preview.api_id, preview.stage), strict=True))


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

    def plan(self, api_id: str, stage: str, label: str, *, clear_preview: bool = False) -> Plan:
        """Moves the live mapping. With `clear_preview` the same update also empties the Preview*
        parameters: one stack update instead of two. Requests without the header follow LiveMapping
        throughout; CloudFormation deletes the rule (its condition turned false) in the cleanup phase, after
        LiveMapping moved, and until then the rule sends only the header's requests to the previewed color,
        which is the switch's own verified target."""
        stack = self._aws.require_stack(self._stack_name)
        values = {"ActiveApiId": api_id, "ActiveApiStage": stage}
        clears = clear_preview and all(key in stack.parameters for key in PREVIEW_PARAMETERS)
        if clears:
            values.update(preview_values(Preview()))
        description = f"bluegreen {label}: live API -> {api_id}/{stage}"
        if clears:
            description += ", preview -> none"
        shape = Plan("", (), False, api_id, stage, clears_preview=clears)
        return self._plan(values, label, description, shape, stack)

    def plan_preview(self, preview: Preview, label: str) -> Plan:
        """Adds, moves or clears the preview rule; the live mapping's parameters stay as they are."""
        stack = self._aws.require_stack(self._stack_name)
        missing = [key for key in PREVIEW_PARAMETERS if key not in stack.parameters]
        if missing:
            raise ChangeFailed(
                f"stack {self._stack_name} has no parameter {', '.join(missing)}: its template predates "
                "the preview rule; run `bluegreen deploy domain` first"
            )
        description = f"bluegreen {label}: preview -> {preview.label()}"
        shape = Plan("", (), False, preview.api_id, preview.stage, preview=preview)
        return self._plan(preview_values(preview), label, description, shape, stack)

    def preview(self) -> Preview:
        parameters = self._aws.require_stack(self._stack_name).parameters
        color, api_id, stage = (parameters.get(key, "") for key in PREVIEW_PARAMETERS)
        return Preview(color, api_id, stage)

    def _plan(
        self,
        values: dict[str, str],
        label: str,
        description: str,
        shape: Plan,
        stack: StackInfo | None = None,
    ) -> Plan:
        stack = stack or self._aws.require_stack(self._stack_name)
        name = re.sub(r"[^A-Za-z0-9-]", "-", f"{CHANGE_SET_PREFIX}{label}-{int(self._clock() * 1000)}")[:128]
        try:
            change_set_id = self._aws.create_update_change_set(
                self._stack_name,
                name,
                changed_parameters(list(stack.parameters), values),
                self._capabilities,
                description=description,
            )
        except ClientError as exc:
            # Some endpoints refuse an empty change set at creation instead of marking it FAILED.
            if "No updates are to be performed" not in str(exc):
                raise
            return self._empty_plan(stack, name, values, shape)
        info = self._aws.wait_change_set(self._stack_name, change_set_id)
        if info.status == "CREATE_COMPLETE":
            before = tuple((key, stack.parameters.get(key, "")) for key in values)
            return replace(shape, change_set_id=change_set_id, changes=info.changes, before=before)
        self._aws.delete_change_set(self._stack_name, change_set_id)
        if info.is_empty:
            return self._empty_plan(stack, change_set_id, values, shape)
        raise ChangeFailed(f"change set for {self._stack_name} failed: {info.reason or info.status}")

    def _empty_plan(self, stack: StackInfo, change_set_id: str, values: dict[str, str], shape: Plan) -> Plan:
        current = {key: stack.parameters.get(key, "") for key in values}
        if current != values:
            # Nothing to change yet the stack names other values: CloudFormation cannot apply them.
            raise ChangeFailed(
                f"CloudFormation reports no changes for {self._stack_name}, but it names "
                f"{'/'.join(current.values())}, not {'/'.join(values.values())}"
            )
        return replace(shape, change_set_id=change_set_id, empty=True)

    def discard(self, plan: Plan) -> None:
        if not plan.empty:
            self._aws.delete_change_set(self._stack_name, plan.change_set_id)

    def apply(self, plan: Plan, on_event: EventSink) -> StackInfo:
        if plan.empty:
            return self._aws.require_stack(self._stack_name)
        self._aws.execute_change_set(self._stack_name, plan.change_set_id)
        # Its events are reported from this update's own first one (the stack's UPDATE_IN_PROGRESS).
        stack = self._aws.follow_stack(self._stack_name, on_event, None, self._timeout)
        if stack.status != "UPDATE_COMPLETE":
            reason = f": {stack.status_reason}" if stack.status_reason else ""
            raise ChangeFailed(f"update of {self._stack_name} ended {stack.status}{reason}")
        return stack

    def settle(self, on_event: EventSink) -> StackInfo:
        """Waits out an update still in progress (for example one a killed switch started)."""
        stack = self._aws.require_stack(self._stack_name)
        if not stack.status.endswith(IN_PROGRESS_SUFFIX):
            return stack
        # The update in progress is reported from its first event.
        return self._aws.follow_stack(self._stack_name, on_event, None, self._timeout)

    def discard_leftovers(self) -> list[str]:
        """Deletes our change sets an interrupted run left behind (never executed, or failed); their names."""
        deleted = []
        for summary in self._aws.list_change_sets(self._stack_name):
            unused = summary.execution_status in ("AVAILABLE", "UNAVAILABLE") or summary.status == "FAILED"
            if summary.name.startswith(CHANGE_SET_PREFIX) and unused:
                self._aws.delete_change_set(self._stack_name, summary.change_set_id)
                deleted.append(summary.name)
        return deleted
