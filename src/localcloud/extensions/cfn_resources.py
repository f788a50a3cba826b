"""The steps on one template resource: the type's create, update and delete (moto's or a provider's).

The stack engine (`cfn_engine`) decides which step runs when. Resources are created after what they
reference (Ref, Fn::GetAtt, Fn::Sub, DependsOn), a type the local cloud cannot create fails (no false
CREATE_COMPLETE), and creates and deletes are reported as stack events.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
"""

import copy
from typing import Any

from localcloud.patches import Patch, register

from ._moto import parsing
from .cfn_dependencies import dependencies, referenced_names
from .cfn_events import resource_event
from .cfn_unsupported import reason as unsupported_reason

_original_parse_and_create = parsing.parse_and_create_resource


class ResourceFailed(Exception):
    """One resource could not be created, updated or deleted; `reason` is what the event reports."""

    def __init__(self, logical_id: str, reason: str, action: str = "create") -> None:
        super().__init__(f"{logical_id}: {reason}")
        self.logical_id = logical_id
        self.reason = reason
        self.action = action  # "create" or "update": how the stack event words the failure


def error_message(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return str(message or error or type(error).__name__)


def physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def is_supported(resource_type: str) -> bool:
    return (
        resource_type in parsing.NULL_MODELS
        or resource_type.startswith("Custom::")
        or resource_type in parsing.get_model_map()
    )


def can_update_in_place(resource_type: str) -> bool:
    """Whether moto (or a provider) has an update for the type; without one, a change replaces it."""
    model = parsing.get_model_map().get(resource_type)
    return model is not None and not hasattr(model.update_from_cloudformation_json, "__isabstractmethod__")


def changed_properties(
    old_json: dict[str, Any],
    old_snapshot: dict[str, str],
    new_json: dict[str, Any],
    new_values: dict[str, str],
    replaced: set[str] | None = None,
) -> set[str]:
    """Top-level properties whose value changes: in the template, through a parameter, or because a
    resource they reference was replaced (its physical id changed)."""
    old_props, new_props = old_json.get("Properties") or {}, new_json.get("Properties") or {}
    changed = {key for key in old_props.keys() | new_props.keys() if old_props.get(key) != new_props.get(key)}
    for key, value in new_props.items():
        names = referenced_names(value)
        params = names & new_values.keys()
        if any(old_snapshot.get(p) != new_values[p] for p in params if p in old_snapshot):
            changed.add(key)
        if names & (replaced or set()):
            changed.add(key)
    return changed


def normalized(resource_json: dict[str, Any]) -> dict[str, Any]:
    # moto adds an empty Properties to template entries it parses; compare without that difference.
    return {**resource_json, "Properties": resource_json.get("Properties") or {}}


def parameter_snapshot(resources_map: Any, resource_json: dict[str, Any]) -> dict[str, str]:
    """The values of the parameters a resource references, to notice when only a parameter changed."""
    parameters = resources_map._template.get("Parameters") or {}
    return {
        name: str(resources_map.resolved_parameters.get(name))
        for name in referenced_names(resource_json.get("Properties") or {})
        if name in parameters
    }


def remember_applied(resources_map: Any, logical_id: str, resource_json: dict[str, Any]) -> None:
    resources_map.lc_applied[logical_id] = (
        copy.deepcopy(normalized(resource_json)),
        parameter_snapshot(resources_map, resource_json),
    )


def created_resources(resources_map: Any) -> dict[str, Any]:
    """Resources that exist now (never the lazy ones the map would create on access)."""
    applied = getattr(resources_map, "lc_applied", {})
    return {
        name: resources_map._parsed_resources[name]
        for name in applied
        if resources_map._parsed_resources.get(name) is not None
    }


def _refuse_unsupported_values(resource_type: str, resource_json: dict[str, Any]) -> None:
    found = unsupported_reason(resource_type, resource_json.get("Properties") or {})
    if found:
        raise NotImplementedError(found)


def create_with_events(
    logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
) -> Any:
    """Replacement for moto's parse_and_create_resource (called lazily by ResourceMap.__getitem__)."""
    stack = getattr(resources_map, "lc_stack", None)
    condition = resource_json.get("Condition")
    if stack is None or (condition and not resources_map.lazy_condition_map[condition]):
        return _original_parse_and_create(logical_id, resource_json, resources_map, account_id, region_name)
    for dependency in sorted(dependencies(resource_json, resources_map._resource_json_map)):
        resources_map[dependency]
    resource_type = resource_json["Type"]
    resource_event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    try:
        require_supported(resource_type, resource_json)
        resource = _original_parse_and_create(
            logical_id, resource_json, resources_map, account_id, region_name
        )
    except Exception as error:
        reason = error_message(error)
        resource_event(stack, logical_id, resource_type, "CREATE_FAILED", reason=reason)
        raise ResourceFailed(logical_id, reason) from error
    remember_applied(resources_map, logical_id, resource_json)
    resource_event(stack, logical_id, resource_type, "CREATE_COMPLETE", physical_id=physical_id(resource))
    return resource


def named_in_template(resource_type: str, resource_json: dict[str, Any]) -> bool:
    """Whether the template names the resource itself; if not, CloudFormation generates a fresh name."""
    model = parsing.get_model_map().get(resource_type)
    name_property = model.cloudformation_name_type() if model is not None else None
    return not name_property or name_property in (resource_json.get("Properties") or {})


def require_supported(resource_type: str, resource_json: dict[str, Any]) -> None:
    """Fail loudly on a type or property value the local cloud cannot provide."""
    if not is_supported(resource_type):
        raise NotImplementedError(f"Resource type {resource_type} is not supported by the local cloud")
    _refuse_unsupported_values(resource_type, resource_json)


def create_resource(stack: Any, logical_id: str, resource_json: dict[str, Any]) -> Any:
    """The type's create (moto's backend or a provider), without events: the engine reports the step."""
    return _original_parse_and_create(
        logical_id, resource_json, stack.resource_map, stack.account_id, stack.region_name
    )


def update_resource(stack: Any, logical_id: str, resource_json: dict[str, Any]) -> Any:
    """The type's in-place update, without events."""
    return parsing.parse_and_update_resource(
        logical_id, resource_json, stack.resource_map, stack.account_id, stack.region_name
    )


def delete_one(
    stack: Any,
    name: str,
    resource: Any,
    resource_json: dict[str, Any],
    *,
    current: bool = True,
    retain: bool | None = None,
) -> bool:
    """Delete one resource with its events; a retained one is skipped. False when the delete failed.

    `retain` defaults to the DeletionPolicy; the old resource of a replacement follows the UpdateReplacePolicy
    instead, and is not `current`: its events leave the logical id's status alone.
    """
    resource_type = resource_json["Type"]
    physical = physical_id(resource)
    if resource_json.get("DeletionPolicy") == "Retain" if retain is None else retain:
        resource_event(
            stack, name, resource_type, "DELETE_SKIPPED", physical_id=physical, sets_status=current
        )
        return True
    resource_event(
        stack, name, resource_type, "DELETE_IN_PROGRESS", physical_id=physical, sets_status=current
    )
    try:
        stack.resource_map._delete_resource(resource, resource_json)
    except Exception as error:
        resource_event(
            stack,
            name,
            resource_type,
            "DELETE_FAILED",
            physical_id=physical,
            reason=error_message(error),
            sets_status=current,
        )
        return False
    resource_event(stack, name, resource_type, "DELETE_COMPLETE", physical_id=physical, sets_status=current)
    return True


def forget(resources_map: Any, name: str) -> None:
    resources_map._parsed_resources.pop(name, None)
    resources_map.lc_applied.pop(name, None)


register(
    __name__,
    Patch(
        parsing,
        "parse_and_create_resource",
        "create after dependencies, with events; unsupported types fail",
        new=create_with_events,
    ),
)
