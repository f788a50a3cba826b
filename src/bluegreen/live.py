"""Which color is live, according to the ACTUAL base-path mapping of the custom domain (not the stack)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from bluegreen import COLORS
from bluegreen.aws import Aws, StackInfo
from bluegreen.config import Project
from bluegreen.errors import ConfigError
from bluegreen.stacks import ColorStack, ColorStackReader

EMPTY_BASE_PATHS = ("", "(none)")  # API Gateway reports the empty base path as "(none)"


@dataclass(frozen=True)
class DomainStack:
    """The custom-domain stack's outputs the tool needs."""

    stack_name: str
    status: str
    domain_name: str
    url: str
    param_api_id: str
    param_stage: str


def read_domain_stack(aws: Aws, project: Project) -> DomainStack:
    config = project.deploy_config("custom-domain")
    stack = aws.require_stack(config.stack_name)
    return domain_stack_from(stack)


def domain_stack_from(stack: StackInfo) -> DomainStack:
    url = stack.outputs.get("CustomDomainUrl", "")
    domain = url.removeprefix("https://").rstrip("/") or stack.parameters.get("CustomDomainName", "")
    if not domain:
        raise ConfigError(
            f"stack {stack.name} has neither output CustomDomainUrl nor parameter CustomDomainName"
        )
    return DomainStack(
        stack_name=stack.name,
        status=stack.status,
        domain_name=domain,
        url=url or f"https://{domain}",
        param_api_id=stack.parameters.get("ActiveApiId", ""),
        param_stage=stack.parameters.get("ActiveApiStage", ""),
    )


@dataclass(frozen=True)
class LiveState:
    domain_name: str
    url: str
    api_id: str  # empty when the domain has no empty-base-path mapping
    stage: str
    color: str | None  # None when the mapped API is neither color's API
    param_api_id: str
    param_stage: str
    stack_status: str
    # The color stacks read to tell the live color: a switch under the same lock uses them, not a re-read.
    color_stacks: tuple[ColorStack, ...] = field(default=(), compare=False, repr=False)

    def color_stack(self, color: str, colors: ColorStackReader) -> ColorStack:
        """`color`'s stack as read with this state, or read now."""
        known = next((stack for stack in self.color_stacks if stack.color == color), None)
        return known if known is not None else colors.describe(color)

    @property
    def drifted(self) -> bool:
        """The mapping serves something other than what the custom-domain stack's parameters say."""
        return (self.api_id, self.stage) != (self.param_api_id, self.param_stage)

    def to_dict(self) -> dict[str, Any]:
        state = {key: value for key, value in asdict(self).items() if key != "color_stacks"}
        return {**state, "drifted": self.drifted}


class LiveStateReader(Protocol):
    def read(self) -> LiveState: ...


class ApiGatewayLiveReader:
    def __init__(self, aws: Aws, project: Project, colors: ColorStackReader) -> None:
        self._aws = aws
        self._project = project
        self._colors = colors

    def read(self) -> LiveState:
        # The color stacks are read while the domain stack and its mapping are (the mapping needs the
        # domain's name): two round trips in a row instead of four.
        with ThreadPoolExecutor(max_workers=len(COLORS), thread_name_prefix="bluegreen-live") as pool:
            reads = [pool.submit(self._colors.describe, candidate) for candidate in COLORS]
            domain = read_domain_stack(self._aws, self._project)
            mapping = next(
                (
                    m
                    for m in self._aws.base_path_mappings(domain.domain_name)
                    if m.base_path in EMPTY_BASE_PATHS
                ),
                None,
            )
            stacks = tuple(read.result() for read in reads)
        api_id, stage = (mapping.rest_api_id, mapping.stage) if mapping else ("", "")
        color = None
        for stack in stacks:
            if api_id and stack.api_id == api_id and stack.stage == stage:
                color = stack.color
        return LiveState(
            domain_name=domain.domain_name,
            url=domain.url,
            api_id=api_id,
            stage=stage,
            color=color,
            param_api_id=domain.param_api_id,
            param_stage=domain.param_stage,
            stack_status=domain.status,
            color_stacks=stacks,
        )
