"""The two color stacks as the switch sees them: status plus the outputs named `<Color>ApiId` and so on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from bluegreen import COLORS
from bluegreen.aws import Aws
from bluegreen.config import Project
from bluegreen.errors import ConfigError, UsageError

# A stack in one of these states has a template that deployed completely and can serve traffic.
USABLE_STATUSES = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
)


def check_color(color: str) -> str:
    if color not in COLORS:
        raise UsageError(f"unknown color {color!r}; expected blue or green")
    return color


def other_color(color: str) -> str:
    return "green" if check_color(color) == "blue" else "blue"


@dataclass(frozen=True)
class ColorStack:
    color: str
    stack_name: str
    status: str  # "MISSING" when the stack does not exist
    api_id: str = ""
    stage: str = ""
    endpoint: str = ""
    version: str = ""
    lambda_arn: str = ""
    alarm_names: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return self.status != "MISSING"

    def problem(self) -> str | None:
        """Why this stack cannot take traffic, or None when it can."""
        if not self.exists:
            return f"stack {self.stack_name} does not exist"
        if self.status not in USABLE_STATUSES:
            return f"stack {self.stack_name} is {self.status}"
        prefix = self.color.capitalize()
        missing = [
            f"{prefix}{name}"
            for name, value in (
                ("ApiId", self.api_id),
                ("ApiStage", self.stage),
                ("ApiEndpoint", self.endpoint),
            )
            if not value
        ]
        if missing:
            return f"stack {self.stack_name} lacks output(s) {', '.join(missing)}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ColorStackReader(Protocol):
    def describe(self, color: str) -> ColorStack: ...


class CloudFormationColorStacks:
    """Reads the color stacks named in samconfig."""

    def __init__(self, aws: Aws, project: Project) -> None:
        self._aws = aws
        self._project = project

    def stack_name(self, color: str) -> str:
        return self._project.deploy_config(check_color(color)).stack_name

    def describe(self, color: str) -> ColorStack:
        name = self.stack_name(color)
        stack = self._aws.describe_stack(name)
        if stack is None:
            return ColorStack(color=color, stack_name=name, status="MISSING")
        prefix = color.capitalize()
        out = stack.outputs
        alarms = tuple(a.strip() for a in out.get(f"{prefix}AlarmNames", "").split(",") if a.strip())
        return ColorStack(
            color=color,
            stack_name=name,
            status=stack.status,
            api_id=out.get(f"{prefix}ApiId", ""),
            stage=out.get(f"{prefix}ApiStage", ""),
            endpoint=out.get(f"{prefix}ApiEndpoint", ""),
            version=out.get(f"{prefix}Version", ""),
            lambda_arn=out.get(f"{prefix}LambdaArn", ""),
            alarm_names=alarms,
        )


def switch_table_name(aws: Aws, project: Project) -> str:
    """The lock and history table: an output of the data stack, which outlives the custom-domain stack."""
    config = project.deploy_config("data")
    stack = aws.describe_stack(config.stack_name)
    if stack is None:
        raise ConfigError(
            f"data stack {config.stack_name} does not exist: it holds the lock and history; "
            "deploy it first (`bluegreen deploy data`, make deploy-data)"
        )
    table = stack.outputs.get("SwitchTableName", "")
    if not table:
        raise ConfigError(f"data stack {config.stack_name} ({stack.status}) has no output SwitchTableName")
    return table
