"""Creating, updating and deleting one template resource, with its stack events.

Resources are created after what they reference (Ref, Fn::GetAtt, Fn::Sub, DependsOn), a type the local
cloud cannot create fails (no false CREATE_COMPLETE), and every step is reported as a stack event.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
"""

import copy
from typing import Any

from localcloud.patches import Patch, register

from ._moto import parsing
from .cfn_dependencies import creation_order, dependencies, referenced_names
from .cfn_events import resource_event
from .cfn_schemas import create_only_properties
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
        if not is_supported(resource_type):
            raise NotImplementedError(f"Resource type {resource_type} is not supported by the local cloud")
        _refuse_unsupported_values(resource_type, resource_json)
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


def _named_in_template(resource_type: str, resource_json: dict[str, Any]) -> bool:
    """Whether the template names the resource itself; if not, CloudFormation generates a fresh name."""
    model = parsing.get_model_map().get(resource_type)
    name_property = model.cloudformation_name_type() if model is not None else None
    return not name_property or name_property in (resource_json.get("Properties") or {})


def update_with_events(
    stack: Any, logical_id: str, resource_json: dict[str, Any], changed: set[str] | None = None
) -> bool:
    """Update one existing resource in place or by replacement. True when its physical id changed.

    A change of a create-only property (read from the type's schema) replaces the resource, new one first;
    so does any change of a type with no update at all, unless the template names the resource (the new one
    would reuse the name): then the old one goes first.
    """
    resources_map = stack.resource_map
    old = resources_map._parsed_resources[logical_id]
    old_json = resources_map.lc_applied[logical_id][0]
    resource_type = resource_json["Type"]
    resource_event(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", physical_id=physical_id(old))
    try:
        if parsing.get_model_map().get(resource_type) is None:
            raise NotImplementedError(f"Resource type {resource_type} is not supported by the local cloud")
        _refuse_unsupported_values(resource_type, resource_json)
        same_type = old_json["Type"] == resource_type
        replace = not same_type or bool(
            (changed or set()) & create_only_properties(resource_type, stack.region_name)
        )
        retained = resource_json.get("UpdateReplacePolicy") == "Retain"
        if not replace and changed is not None and not changed:
            new = old  # only attributes (Metadata, DependsOn, policies) changed: the resource is untouched
        elif replace:  # a custom name reused by the new resource conflicts in its backend, as on AWS
            new = _original_parse_and_create(
                logical_id, resource_json, resources_map, stack.account_id, stack.region_name
            )
            if not retained:  # UpdateReplacePolicy Retain keeps the old resource, outside the stack
                resources_map._delete_resource(old, old_json)
        elif can_update_in_place(resource_type):
            new = parsing.parse_and_update_resource(
                logical_id, resource_json, resources_map, stack.account_id, stack.region_name
            )
        else:  # moto has no update for this type: replace it
            if retained or resource_json.get("DeletionPolicy") == "Retain":
                # AWS would update in place; re-creating would lose what the Retain policy protects.
                raise NotImplementedError(
                    f"Updating {resource_type} in place (changed: {', '.join(sorted(changed or ())) or '-'}) "
                    "is not supported by the local cloud; its Retain policy forbids replacing it instead"
                )
            if _named_in_template(resource_type, resource_json):
                # The new resource would take the old one's name: old one first, or its backend refuses.
                resources_map._delete_resource(old, old_json)
                new = _original_parse_and_create(
                    logical_id, resource_json, resources_map, stack.account_id, stack.region_name
                )
            else:  # a generated name: new one first, so a failed create leaves the old one serving
                new = _original_parse_and_create(
                    logical_id, resource_json, resources_map, stack.account_id, stack.region_name
                )
                resources_map._delete_resource(old, old_json)
    except Exception as error:
        reason = error_message(error)
        resource_event(
            stack, logical_id, resource_type, "UPDATE_FAILED", physical_id=physical_id(old), reason=reason
        )
        raise ResourceFailed(logical_id, reason, "update") from error
    resources_map._parsed_resources[logical_id] = new
    remember_applied(resources_map, logical_id, resource_json)
    resource_event(stack, logical_id, resource_type, "UPDATE_COMPLETE", physical_id=physical_id(new))
    return physical_id(new) != physical_id(old)


def delete_with_events(stack: Any, resource_jsons: dict[str, dict[str, Any]], names: set[str]) -> list[str]:
    """Delete `names` in reverse dependency order. Returns the names that failed to delete.

    A resource that fails keeps what it depends on alive, as on AWS.
    """
    resources_map = stack.resource_map
    failed: list[str] = []
    blocked: set[str] = set()
    for name in reversed(creation_order(resource_jsons)):
        resource = resources_map._parsed_resources.get(name)
        if name not in names or resource is None:
            continue
        resource_json = resource_jsons[name]
        if name in blocked:
            blocked |= dependencies(resource_json, resource_jsons)
            continue
        resource_type = resource_json["Type"]
        if resource_json.get("DeletionPolicy") == "Retain":
            resource_event(stack, name, resource_type, "DELETE_SKIPPED", physical_id=physical_id(resource))
            _forget(resources_map, name)
            continue
        resource_event(stack, name, resource_type, "DELETE_IN_PROGRESS", physical_id=physical_id(resource))
        try:
            resources_map._delete_resource(resource, resource_json)
        except Exception as error:
            resource_event(
                stack,
                name,
                resource_type,
                "DELETE_FAILED",
                physical_id=physical_id(resource),
                reason=error_message(error),
            )
            failed.append(name)
            blocked |= dependencies(resource_json, resource_jsons)
            continue
        _forget(resources_map, name)
        resource_event(stack, name, resource_type, "DELETE_COMPLETE", physical_id=physical_id(resource))
    return failed


def _forget(resources_map: Any, name: str) -> None:
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
