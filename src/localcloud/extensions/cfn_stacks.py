"""Stack lifecycle like CloudFormation's: create with rollback, update with cleanup and rollback, delete that
can fail, all reported as stack events with AWS's statuses and reasons.

Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html
     https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html (StackStatus values)
"""

import json
from typing import Any

from localcloud.patches import Patch, register

from . import cfn_capabilities as capabilities
from . import cfn_engine as engine
from . import cfn_exports as exports
from ._moto import ValidationError, cfn, cfn_responses, parsing
from .cfn_dependencies import CircularDependency, creation_order
from .cfn_events import stack_event
from .cfn_parameters import validate as validate_parameters
from .cfn_resources import ResourceFailed, created_resources, error_message
from .sam_transform import TransformFailed, expand

NO_UPDATES = "No updates are to be performed."


# --- parameters and templates ---------------------------------------------------------------------


def effective_parameters(template: dict[str, Any], given: dict[str, Any]) -> dict[str, str]:
    """What each declared parameter will be: the given value, else the default (as strings, like the API)."""
    result: dict[str, str] = {}
    for name, spec in (template.get("Parameters") or {}).items():
        if name in given:
            value = given[name]
            result[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        elif isinstance(spec, dict) and "Default" in spec:
            result[name] = str(spec["Default"])
    return result


def require_acyclic(template: dict[str, Any]) -> None:
    try:
        creation_order(template.get("Resources") or {})
    except CircularDependency as error:
        raise ValidationError(message=str(error)) from error


def require_values(template: dict[str, Any], parameters: dict[str, str], given: dict[str, Any]) -> None:
    """Every declared parameter has a value, only declared ones are given, and each meets its constraints."""
    missing = [name for name in (template.get("Parameters") or {}) if name not in parameters]
    if missing:
        raise ValidationError(message=f"Parameters: [{', '.join(missing)}] must have values")
    validate_parameters(template, given, parameters)


def processed_template(stack: Any, body: str, parameters: dict[str, Any]) -> dict[str, Any]:
    try:
        return expand(
            cfn.Stack.parse_template(body),
            parameters,
            region_name=stack.region_name,
            account_id=stack.account_id,
            stack_name=stack.name,
        )
    except TransformFailed as error:
        raise ValidationError(message=str(error)) from error


def _fresh_outputs(stack: Any) -> None:
    stack.output_map = stack._create_output_map()
    list(stack.output_map.values())  # resolve now, while every resource exists


def _no_outputs(stack: Any) -> None:
    stack.output_map = parsing.OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)


def _applied_jsons(stack: Any) -> dict[str, dict[str, Any]]:
    return {name: applied[0] for name, applied in stack.resource_map.lc_applied.items()}


# --- the resource map: transform on creation, remember the stack for events -----------------------


def _create_resource_map(self: Any) -> Any:
    original = self.template_dict
    self.template_dict = expand(
        original,
        self.parameters or {},
        region_name=self.region_name,
        account_id=self.account_id,
        stack_name=self.name,
    )
    capabilities.require(original, self.template_dict, change_set=False)
    require_acyclic(self.template_dict)
    resource_map = _original_create_resource_map(self)
    resource_map.lc_stack = self
    resource_map.lc_applied = {}
    return resource_map


_original_create_resource_map = cfn.Stack._create_resource_map


def _stack_resources(self: Any) -> list[Any]:
    # moto's version iterates the lazy map, which would create every resource that does not exist.
    return list(created_resources(self.resource_map).values())


# --- create ---------------------------------------------------------------------------------------


def create_resources(self: Any) -> None:
    """Replacement for moto's Stack.create_resources: the engine's plan (all Add) in dependency order."""
    self.status = "CREATE_IN_PROGRESS"
    try:
        parameters = dict(self.parameters or {})
        changes = engine.plan(self, self.template_dict, parameters)
        engine.execute(
            self, self.template_dict, parameters, changes, engine.begin(self, changes), reload=False
        )
        ready = all(resource.is_created() for resource in created_resources(self.resource_map).values())
        self.description = self.template_dict.get("Description")
        _fresh_outputs(self)
        exports.require_unique(self)
    except Exception as error:
        _roll_back_create(self, error)
        return
    if ready:
        stack_event(self, "CREATE_COMPLETE")
        exports.settle(self)


def _roll_back_create(stack: Any, error: Exception) -> None:
    failed = error.logical_id if isinstance(error, ResourceFailed) else None
    reason = (
        f"The following resource(s) failed to create: [{failed}]. Rollback requested by user."
        if failed
        else error_message(error)
    )
    _no_outputs(stack)
    stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
    applied = _applied_jsons(stack)
    if engine.delete_resources(stack, applied, set(applied)):
        stack_event(stack, "ROLLBACK_FAILED")
    else:
        stack_event(stack, "ROLLBACK_COMPLETE")
    exports.settle(stack)


# --- update ---------------------------------------------------------------------------------------


def run_update(
    stack: Any,
    body: str,
    template: dict[str, Any],
    parameters: dict[str, Any],
    changes: list[engine.PlannedChange] | None = None,
) -> bool:
    """Apply a new template to an existing stack: the engine's plan (a change set's, when given) is what
    runs. True on UPDATE_COMPLETE, False after a rollback."""
    previous = (stack.template, stack.template_dict, dict(stack.parameters or {}))
    stack_event(stack, "UPDATE_IN_PROGRESS", "User Initiated")
    run = engine.Run()
    try:
        if changes is None:
            changes = engine.plan(stack, template, parameters)
        run = engine.begin(stack, changes)
        engine.execute(stack, template, parameters, changes, run)
        stack.template, stack.template_dict, stack.parameters = body, template, parameters
        stack.description = template.get("Description")
        _fresh_outputs(stack)
        exports.require_changes_allowed(stack)
    except Exception as error:
        _roll_back_update(stack, error, previous, run)
        return False
    stack_event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    engine.clean_up(stack, engine.update_leftovers(stack, run))
    stack_event(stack, "UPDATE_COMPLETE")
    exports.settle(stack)
    return True


def _roll_back_update(
    stack: Any, error: Exception, previous: tuple[Any, dict[str, Any], dict[str, Any]], failed: engine.Run
) -> None:
    reason = (
        f"The following resource(s) failed to {error.action}: [{error.logical_id}]. "
        if isinstance(error, ResourceFailed)
        else error_message(error)
    )
    stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
    stack.template, stack.template_dict, stack.parameters = previous
    try:
        leftovers = engine.roll_back(stack, failed, previous[1], previous[2])
        _fresh_outputs(stack)
    except Exception as rollback_error:
        stack_event(stack, "UPDATE_ROLLBACK_FAILED", error_message(rollback_error))
        return
    stack_event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    engine.clean_up(stack, leftovers)
    stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
    exports.settle(stack)


def stack_update(
    self: Any,
    template: str,
    role_arn: str | None = None,
    parameters: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    """Replacement for moto's Stack.update (UpdateStack)."""
    processed = processed_template(self, template, parameters or {})
    run_update(self, template, processed, dict(parameters or {}))
    if role_arn:
        self.role_arn = role_arn
    if tags is not None:
        self.tags = tags


def resolve_previous_values(stack: Any, incoming: list[dict[str, Any]]) -> dict[str, Any]:
    """Parameters of an update: given values, and UsePreviousValue read from the deployed stack."""
    deployed = effective_parameters(stack.template_dict, stack.parameters or {})
    resolved: dict[str, Any] = {}
    for parameter in incoming:
        key = parameter["ParameterKey"]
        if parameter.get("UsePreviousValue"):
            if key not in deployed:
                raise ValidationError(
                    message=f"Invalid input for parameter key {key}. "
                    "Cannot specify usePreviousValue as true for a parameter key not in "
                    "the previous template"
                )
            resolved[key] = deployed[key]
        elif "ParameterValue" in parameter:
            resolved[key] = parameter["ParameterValue"]
    return resolved


def same_as_deployed(stack: Any, template: dict[str, Any], parameters: dict[str, Any]) -> bool:
    return bool(
        template == stack.template_dict
        and effective_parameters(template, parameters)
        == effective_parameters(stack.template_dict, stack.parameters or {})
    )


_UPDATABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}


def require_updatable(stack: Any, action: str = "UpdateStack") -> None:
    if stack.status not in _UPDATABLE:
        raise ValidationError(
            message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
        )


def backend_update_stack(
    self: Any,
    name: str,
    template: str,
    role_arn: str | None,
    parameters: list[dict[str, Any]],
    tags: dict[str, str] | None,
) -> Any:
    stack = self.get_stack(name)
    require_updatable(stack)
    resolved = resolve_previous_values(stack, parameters)
    processed = processed_template(stack, template, resolved)
    require_values(processed, effective_parameters(processed, resolved), resolved)
    require_acyclic(processed)
    capabilities.require(cfn.Stack.parse_template(template), processed, change_set=False)
    if same_as_deployed(stack, processed, resolved):
        raise ValidationError(stack.stack_id, message=NO_UPDATES)
    stack.update(template, role_arn, parameters=resolved, tags=tags)
    return stack


def _create_stack(
    self: Any, name: str, template: str, parameters: dict[str, Any], *args: Any, **kwargs: Any
) -> Any:
    # Parameter values are checked before the stack exists (the SAM transform keeps the Parameters).
    declared = cfn.Stack.parse_template(template)
    given = dict(parameters or {})
    require_values(declared, effective_parameters(declared, given), given)
    try:
        return _original_create_stack(self, name, template, parameters, *args, **kwargs)
    except TransformFailed as error:
        raise ValidationError(message=str(error)) from error


_original_create_stack = cfn.CloudFormationBackend.create_stack


# --- delete ---------------------------------------------------------------------------------------


class StackDeleteFailed(Exception):
    pass


def stack_delete(self: Any) -> None:
    """Replacement for moto's Stack.delete: reverse dependency order, DELETE_FAILED when a resource stays."""
    stack_event(self, "DELETE_IN_PROGRESS", "User Initiated")
    applied = _applied_jsons(self)
    failed = engine.delete_resources(self, applied, set(applied))
    if failed:
        stack_event(
            self, "DELETE_FAILED", f"The following resource(s) failed to delete: [{', '.join(failed)}]. "
        )
        raise StackDeleteFailed(failed)
    exports.withdraw(self)
    exports.release_imports(self)
    _no_outputs(self)
    stack_event(self, "DELETE_COMPLETE")


def backend_delete_stack(self: Any, name_or_stack_id: str) -> None:
    stack = self.stacks.get(name_or_stack_id) or next(
        (s for s in self.stacks.values() if s.name == name_or_stack_id), None
    )
    if stack is None:
        return  # AWS: deleting a stack that does not exist succeeds
    in_use = exports.delete_refusal(stack)
    if in_use:
        # AWS accepts the call and changes nothing: the stack keeps its status, with the reason.
        stack_event(stack, stack.status, in_use)
        return
    try:
        stack.delete()
    except StackDeleteFailed:
        return  # the stack stays, in DELETE_FAILED, and can be deleted again
    self.stacks.pop(stack.stack_id, None)
    self.deleted_stacks[stack.stack_id] = stack


# --- GetTemplate: Original by default, Processed on request ---------------------------------------


def response_get_template(self: Any) -> Any:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    if self._get_param("TemplateStage") == "Processed":
        body = json.dumps(stack.template_dict)
    else:
        body = stack.template
    return cfn_responses.ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})


def _let_backend_decide(self: Any, *args: Any, **kwargs: Any) -> None:
    # The response layer compares raw bodies and raises before the backend can decide (and wrongly
    # does so for CreateChangeSet, which AWS answers with a FAILED change set instead).
    return None


register(
    __name__,
    Patch(
        cfn.Stack,
        "_create_resource_map",
        "SAM transform and capabilities on create",
        new=_create_resource_map,
    ),
    Patch(cfn.Stack, "stack_resources", "list only created resources", new=property(_stack_resources)),
    Patch(cfn.Stack, "create_resources", "create with rollback", new=create_resources),
    Patch(cfn.Stack, "update", "update with cleanup and rollback", new=stack_update),
    Patch(cfn.Stack, "delete", "delete in reverse dependency order; DELETE_FAILED", new=stack_delete),
    Patch(
        cfn.CloudFormationBackend, "create_stack", "transform errors are ValidationErrors", new=_create_stack
    ),
    Patch(
        cfn.CloudFormationBackend,
        "update_stack",
        "UpdateStack like CloudFormation's",
        new=backend_update_stack,
    ),
    Patch(
        cfn.CloudFormationBackend, "delete_stack", "a failed delete keeps the stack", new=backend_delete_stack
    ),
    Patch(
        cfn_responses.CloudFormationResponse,
        "get_template",
        "GetTemplate: Original by default, Processed on request",
        new=response_get_template,
    ),
    Patch(
        cfn_responses.CloudFormationResponse,
        "_validate_different_update",
        "no-change updates are decided by the backend",
        new=_let_backend_decide,
    ),
)
