"""Change sets like CloudFormation's: processed templates, a Changes list with Replacement, parameters and
outputs kept after execution, the no-change FAILED status, and execution through the stack lifecycle.

Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
"""

import copy
from typing import Any

from localcloud.patches import Patch, register

from . import cfn_capabilities as capabilities
from ._moto import AlreadyExistsException, ServiceException, ValidationError, cfn, cfn_utils
from .cfn_engine import PlannedChange, plan
from .cfn_events import stack_event
from .cfn_schemas import create_only_properties
from .cfn_stacks import (
    effective_parameters,
    require_acyclic,
    require_updatable,
    require_values,
    run_update,
    same_as_deployed,
)
from .sam_transform import TransformFailed, expand

NO_CHANGES = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)


class InvalidChangeSetStatus(ServiceException):  # type: ignore[misc]
    code = "InvalidChangeSetStatus"


def _change(planned: PlannedChange, region_name: str) -> Any:
    """The ResourceChange DescribeChangeSet shows (and sam deploy prints) for one planned change."""
    create_only = create_only_properties(planned.resource_type, region_name)
    change = cfn.Change(
        action=str(planned.action),
        logical_resource_id=planned.logical_id,
        resource_type=planned.resource_type,
    )
    change.physical_resource_id = planned.physical_id or None
    change.replacement = planned.replacement
    change.scope = ["Properties"] if planned.changed or planned.dynamic else []
    change.details = [
        {
            "Target": {
                "Attribute": "Properties",
                "Name": name,
                "RequiresRecreation": (
                    "Always" if planned.replacement == "True" or name in create_only else "Never"
                ),
            },
            # A reference to a replaced resource is known only when the replacement has run.
            "Evaluation": "Dynamic" if name in planned.dynamic else "Static",
            "ChangeSource": "ResourceReference" if name in planned.dynamic else "DirectModification",
        }
        for name in sorted(planned.changed | planned.dynamic)
    ]
    return change


# --- ChangeSet model hooks ------------------------------------------------------------------------


def _parse_template(self: Any) -> None:
    # moto's ChangeSet parses with its own copy of Stack.parse_template; this one reads each text once.
    self.template_dict = cfn.Stack.parse_template(self.template)
    self.lc_failure = None
    try:
        self.template_dict = expand(
            self.template_dict,
            self.parameters or {},
            region_name=self.stack.region_name,
            account_id=self.stack.account_id,
            stack_name=self.stack.name,
        )
    except TransformFailed as error:
        self.lc_failure = str(error)


def _diff(self: Any) -> list[Any]:
    """The engine's plan, kept with the change set: ExecuteChangeSet runs exactly what this shows."""
    self.lc_plan = []
    if self.lc_failure:
        return []
    parameters = self.parameters or {}
    # The plan evaluates parameters and dependencies: refuse what it cannot evaluate first.
    require_values(self.template_dict, effective_parameters(self.template_dict, parameters), parameters)
    require_acyclic(self.template_dict)
    self.lc_plan = plan(self.stack, self.template_dict, parameters)
    self.lc_planned_against = _applied(self.stack)
    return [_change(planned, self.stack.region_name) for planned in self.lc_plan]


def _applied(stack: Any) -> dict[str, Any]:
    """The stack's resources as last applied: a plan made against other ones no longer holds."""
    return copy.deepcopy(getattr(stack.resource_map, "lc_applied", {}))


# --- backend operations ---------------------------------------------------------------------------


def create_change_set(
    self: Any,
    stack_name: str,
    change_set_name: str,
    template: str,
    parameters: dict[str, str],
    description: str,
    change_set_type: str,
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
) -> tuple[str, str]:
    cfn_utils.validate_create_change_set(change_set_name)
    existing = next((s for s in self.stacks.values() if s.name == stack_name), None)
    if change_set_type == "UPDATE":
        if existing is None:
            raise ValidationError(stack_name)
        require_updatable(existing)
        stack = existing
    elif existing is not None and existing.status != "REVIEW_IN_PROGRESS":
        raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
    elif existing is not None:
        stack = existing
    else:
        stack = cfn.Stack(
            stack_id=cfn_utils.generate_stack_id(stack_name, self.region_name, self.account_id),
            name=stack_name,
            template={},
            parameters=parameters,
            account_id=self.account_id,
            region_name=self.region_name,
            notification_arns=notification_arns,
            tags=tags,
            role_arn=role_arn,
            cross_stack_resources=self.exports,  # what Fn::ImportValue resolves against
        )
        self.stacks[stack.stack_id] = stack
        stack_event(stack, "REVIEW_IN_PROGRESS", "User Initiated")

    try:
        change_set = _new_change_set(
            self,
            stack,
            change_set_name,
            change_set_type,
            template,
            parameters,
            description,
            notification_arns,
            tags,
            role_arn,
        )
    except Exception:
        if existing is None:  # a refused CREATE leaves no stack behind
            self.stacks.pop(stack.stack_id, None)
        raise
    self.change_sets[change_set.change_set_id] = change_set
    return change_set.change_set_id, stack.stack_id


def _new_change_set(
    backend: Any,
    stack: Any,
    name: str,
    kind: str,
    template: str,
    parameters: dict[str, str],
    description: str,
    notification_arns: list[str] | None,
    tags: dict[str, str] | None,
    role_arn: str | None,
) -> Any:
    change_set = cfn.ChangeSet(
        change_set_type=kind,
        change_set_id=cfn_utils.generate_changeset_id(name, backend.region_name, backend.account_id),
        change_set_name=name,
        stack=stack,
        template=template,
        parameters=parameters,
        description=description,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
    )
    change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
    if change_set.lc_failure:
        _fail(change_set, change_set.lc_failure)
        return change_set
    require_values(
        change_set.template_dict, effective_parameters(change_set.template_dict, parameters), parameters
    )
    require_acyclic(change_set.template_dict)
    capabilities.require(cfn.Stack.parse_template(template), change_set.template_dict, change_set=True)
    if kind == "UPDATE" and same_as_deployed(stack, change_set.template_dict, parameters):
        _fail(change_set, NO_CHANGES)
    return change_set


def _fail(change_set: Any, reason: str) -> None:
    change_set.status, change_set.execution_status, change_set.status_reason = "FAILED", "UNAVAILABLE", reason
    change_set.changes = []


def _find(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name and stack_name in (
            None,
            change_set.stack_name,
            change_set.stack_id,
        ):
            return change_set
    raise ValidationError(message=f"ChangeSet [{change_set_name}] does not exist")


def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = _find(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of "
            f"[{change_set.execution_status}]"
        )
    stack = self.stacks[change_set.stack_id]
    planned_against = getattr(change_set, "lc_planned_against", None)
    if planned_against is not None and planned_against != _applied(stack):
        # The stack was updated since: its plan no longer describes what executing would do.
        change_set.execution_status = "OBSOLETE"
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of "
            "[OBSOLETE]"
        )
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    for other_id, other in list(self.change_sets.items()):
        if other.stack_id == change_set.stack_id and other is not change_set:
            del self.change_sets[other_id]  # AWS: they are not valid for the updated stack
    if change_set.change_set_type == "CREATE":
        ok = _create_from(stack, change_set)
    else:
        ok = run_update(
            stack,
            change_set.template,
            change_set.template_dict,
            dict(change_set.parameters),
            getattr(change_set, "lc_plan", None),  # None (a snapshot saved before plans were kept): plan now
        )
    change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"


def _create_from(stack: Any, change_set: Any) -> bool:
    stack.template, stack.template_dict = change_set.template, change_set.template_dict
    stack.parameters = dict(change_set.parameters)
    stack.description = stack.template_dict.get("Description")
    stack.resource_map = stack._create_resource_map()
    stack.output_map = stack._create_output_map()
    stack_event(stack, "CREATE_IN_PROGRESS", "User Initiated")
    stack.create_resources()
    return bool(stack.status == "CREATE_COMPLETE")


register(
    __name__,
    Patch(cfn.ChangeSet, "_parse_template", "the SAM transform runs for change sets", new=_parse_template),
    Patch(cfn.ChangeSet, "diff", "Changes with Replacement, Scope and Details", new=_diff),
    Patch(
        cfn.CloudFormationBackend,
        "create_change_set",
        "CreateChangeSet validates like CloudFormation",
        new=create_change_set,
    ),
    Patch(
        cfn.CloudFormationBackend,
        "execute_change_set",
        "ExecuteChangeSet runs the stack lifecycle",
        new=execute_change_set,
    ),
)
