"""The stack engine: one plan decides what a create or update does to each resource, and that plan runs.

`plan` compares the applied resources with a new processed template and parameter values and decides, per
resource, Add, Modify or Remove and how: update in place, replace (new resource first, the old one deleted
in cleanup), replace old-first (a template-named resource of a type with no update), attributes only, or
refuse (naming why). Replacement rules come from the resource schemas (`cfn_schemas`). DescribeChangeSet
shows the plan; ExecuteChangeSet and UpdateStack run it:

1. Add and Modify in dependency order (`graphlib`, through `creation_order`), so a new resource exists before
   what references it, and a resource whose reference was replaced is updated after its replacement.
2. Cleanup, in reverse dependency order of the previous resources: the old resources of replacements and the
   removed resources.
3. On failure, rollback: replaced resources get their old resource back, the previous template is planned
   against what now exists and executed the same way, and the cleanup deletes what the failed update made.

A new stack's plan is all Adds (step 1 only); a stack delete and a create rollback delete every resource in
reverse dependency order (`delete_resources`).

moto provides the resource objects' create/update/delete (through `cfn_resources`) and the service backends.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks.html
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ._moto import parsing
from .cfn_dependencies import creation_order, dependencies, referenced_names
from .cfn_events import resource_event
from .cfn_resources import (
    ResourceFailed,
    can_update_in_place,
    changed_properties,
    create_resource,
    delete_one,
    error_message,
    forget,
    named_in_template,
    normalized,
    parameter_snapshot,
    physical_id,
    remember_applied,
    require_supported,
    update_resource,
)
from .cfn_schemas import create_only_properties
from .cfn_schemas import replacement as schema_replacement


class Action(StrEnum):
    ADD = "Add"
    MODIFY = "Modify"
    REMOVE = "Remove"


class How(StrEnum):
    """How the engine carries out one change."""

    CREATE = "create"
    UPDATE = "update"  # the type's own update, in place
    ATTRIBUTES = "attributes"  # only Metadata, DependsOn or policies changed: the resource is untouched
    REPLACE = "replace"  # the new resource first; the old one is deleted in cleanup
    REPLACE_OLD_FIRST = "replace-old-first"  # the template names it and the type has no update
    REFUSE = "refuse"  # the local cloud cannot make this change; the step fails with `reason`
    DELETE = "delete"  # in cleanup


_REPLACING = (How.REPLACE, How.REPLACE_OLD_FIRST)


@dataclass(frozen=True)
class PlannedChange:
    action: Action
    logical_id: str
    resource_type: str
    physical_id: str = ""
    replacement: str | None = None  # "True", "False" or "Conditional" for a Modify
    changed: frozenset[str] = frozenset()  # properties changed in the template or through a parameter
    how: How = How.CREATE
    dynamic: frozenset[str] = frozenset()  # properties that change only because a reference is replaced
    reason: str = ""


def _decide(
    resource_type: str,
    old_json: dict[str, Any],
    new_json: dict[str, Any],
    changed: set[str],
    region_name: str,
) -> tuple[How, str, str]:
    """How a Modify is carried out, the Replacement a change set shows for it, and a refusal's reason."""
    if old_json.get("Type") != resource_type:
        return How.REPLACE, "True", ""
    if not changed:
        return How.ATTRIBUTES, "False", ""
    if changed & create_only_properties(resource_type, region_name):
        return How.REPLACE, "True", ""
    if can_update_in_place(resource_type):
        return How.UPDATE, schema_replacement(resource_type, changed, region_name), ""
    if "Retain" in (new_json.get("UpdateReplacePolicy"), new_json.get("DeletionPolicy")):
        # AWS would update in place; re-creating would lose what the Retain policy protects.
        return (
            How.REFUSE,
            schema_replacement(resource_type, changed, region_name),
            f"Updating {resource_type} in place (changed: {', '.join(sorted(changed))}) is not supported "
            "by the local cloud; its Retain policy forbids replacing it instead",
        )
    if named_in_template(resource_type, new_json):
        return How.REPLACE_OLD_FIRST, "True", ""  # the new resource would take the old one's name
    return How.REPLACE, "True", ""


def _evaluator(stack: Any, template: dict[str, Any], parameters: dict[str, Any]) -> Any:
    """A resource map that only resolves the template's parameters, mappings and conditions."""
    evaluator = parsing.ResourceMap(
        stack.stack_id, stack.name, dict(parameters), {}, stack.region_name, stack.account_id, template, {}
    )
    evaluator.load_mapping()
    evaluator.load_parameters()
    evaluator.load_conditions()
    return evaluator


def condition_filter(evaluator: Any) -> Callable[[dict[str, Any]], bool]:
    """Evaluate a resource's Condition with the new values, as CloudFormation does for a change set."""

    def included(resource_json: dict[str, Any]) -> bool:
        condition = resource_json.get("Condition")
        return not condition or bool(evaluator.lazy_condition_map[condition])

    return included


def _dynamic(resource_json: dict[str, Any], renewed: set[str]) -> set[str]:
    """Top-level properties that reference a resource whose physical id changes."""
    properties = resource_json.get("Properties") or {}
    return {key for key, value in properties.items() if referenced_names(value) & renewed}


def plan(
    stack: Any, template: dict[str, Any], parameters: dict[str, Any], renewed: Iterable[str] = ()
) -> list[PlannedChange]:
    """The changes that take the stack's applied resources to `template`, in dependency order.

    `renewed` names resources whose physical id already changed (a rollback restoring old resources), so
    what references them is updated too.
    """
    resource_map = stack.resource_map
    applied = getattr(resource_map, "lc_applied", {})
    resources = template.get("Resources") or {}
    evaluator = _evaluator(stack, template, parameters)
    included = condition_filter(evaluator)
    replacing = set(renewed)
    changes: list[PlannedChange] = []
    for name in creation_order(resources):
        resource_json = normalized(resources[name])
        if not included(resource_json):
            continue
        kind = resource_json["Type"]
        if name not in applied:
            changes.append(PlannedChange(Action.ADD, name, kind))
            continue
        old_json, old_snapshot = applied[name]
        changed = changed_properties(
            old_json, old_snapshot, resource_json, parameter_snapshot(evaluator, resource_json)
        )
        dynamic = _dynamic(resource_json, replacing) - changed
        if not changed and not dynamic and old_json == resource_json:
            continue
        how, shown, reason = _decide(kind, old_json, resource_json, changed | dynamic, stack.region_name)
        if how in _REPLACING:
            replacing.add(name)
            if (
                dynamic
                and _decide(kind, old_json, resource_json, changed, stack.region_name)[0] not in _REPLACING
            ):
                shown = "Conditional"  # replaced only if the reference's physical id really changes
        changes.append(
            PlannedChange(
                Action.MODIFY,
                name,
                kind,
                physical_id(resource_map._parsed_resources.get(name)),
                shown,
                frozenset(changed),
                how,
                frozenset(dynamic),
                reason,
            )
        )
    for name, (old_json, _) in applied.items():
        if name not in resources or not included(resources[name]):
            changes.append(
                PlannedChange(
                    Action.REMOVE,
                    name,
                    old_json["Type"],
                    physical_id(resource_map._parsed_resources.get(name)),
                    how=How.DELETE,
                )
            )
    return changes


# --- execution ------------------------------------------------------------------------------------


@dataclass
class Run:
    """What one execution did, for its cleanup and for a rollback."""

    replaced: dict[str, tuple[Any, tuple[dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    renewed: set[str] = field(default_factory=set)  # logical ids whose physical id changed
    removals: list[str] = field(default_factory=list)
    previous_jsons: dict[str, dict[str, Any]] = field(default_factory=dict)


def load(resource_map: Any, template: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Point the resource map at a template and parameter values (intrinsics resolve against them)."""
    resource_map._template = template
    resource_map.input_parameters = parameters
    resource_map.resolved_parameters = {}
    resource_map.load_mapping()
    resource_map.load_parameters()
    resource_map.load_conditions()
    resource_map._resource_json_map = template["Resources"]


def begin(stack: Any, changes: list[PlannedChange], renewed: Iterable[str] = ()) -> Run:
    """The record of an execution about to start (kept by the caller: a failed step raises)."""
    return Run(
        renewed=set(renewed),
        removals=[change.logical_id for change in changes if change.action is Action.REMOVE],
        previous_jsons={name: entry[0] for name, entry in stack.resource_map.lc_applied.items()},
    )


def execute(
    stack: Any,
    template: dict[str, Any],
    parameters: dict[str, Any],
    changes: list[PlannedChange],
    run: Run,
    *,
    reload: bool = True,
) -> None:
    """Carry out the Add and Modify changes in dependency order; Removes wait for the cleanup.

    Raises ResourceFailed at the first step that fails; `run` then says what was done before it.
    `reload=False` when the resource map already holds `template` (a new stack's, loaded by moto).
    """
    resource_map = stack.resource_map
    if reload:
        load(resource_map, template, parameters)
    resources = template["Resources"]
    steps = {change.logical_id: change for change in changes if change.action is not Action.REMOVE}
    for name in creation_order(resources):
        change = steps.get(name)
        if change is None:
            continue
        if change.action is Action.ADD:
            resource_map[name]  # the type's create, with events (cfn_resources.create_with_events)
        else:
            _modify(stack, run, change, resources[name])


def _modify(stack: Any, run: Run, change: PlannedChange, resource_json: dict[str, Any]) -> None:
    resource_map = stack.resource_map
    name, kind, how, reason = change.logical_id, change.resource_type, change.how, change.reason
    if change.dynamic:
        # Evaluated now, as AWS does: only a reference whose physical id really changed updates it.
        dynamic = _dynamic(resource_json, run.renewed) & change.dynamic
        if (
            not change.changed
            and not dynamic
            and resource_map.lc_applied[name][0] == normalized(resource_json)
        ):
            return
        if dynamic != change.dynamic:
            how, _, reason = _decide(
                kind,
                resource_map.lc_applied[name][0],
                normalized(resource_json),
                set(change.changed) | dynamic,
                stack.region_name,
            )
    old = resource_map._parsed_resources[name]
    old_entry = resource_map.lc_applied[name]
    resource_event(stack, name, kind, "UPDATE_IN_PROGRESS", physical_id=physical_id(old))
    try:
        new = _carry_out(stack, run, how, reason, name, resource_json, old, old_entry)
    except Exception as error:
        failure = error_message(error)
        resource_event(stack, name, kind, "UPDATE_FAILED", physical_id=physical_id(old), reason=failure)
        raise ResourceFailed(name, failure, "update") from error
    resource_map._parsed_resources[name] = new
    remember_applied(resource_map, name, resource_json)
    if physical_id(new) != physical_id(old):
        run.renewed.add(name)
    resource_event(stack, name, kind, "UPDATE_COMPLETE", physical_id=physical_id(new))


def _carry_out(
    stack: Any,
    run: Run,
    how: How,
    refusal: str,
    name: str,
    resource_json: dict[str, Any],
    old: Any,
    old_entry: tuple[dict[str, Any], dict[str, str]],
) -> Any:
    """One Modify step, the resource it leaves for the logical id."""
    kind = resource_json["Type"]
    if parsing.get_model_map().get(kind) is None:
        raise NotImplementedError(f"Resource type {kind} is not supported by the local cloud")
    require_supported(kind, resource_json)
    if how is How.REFUSE:
        raise NotImplementedError(refusal)
    if how is How.ATTRIBUTES:
        return old
    if how is How.UPDATE:
        return update_resource(stack, name, resource_json)
    if how is How.REPLACE_OLD_FIRST:
        stack.resource_map._delete_resource(old, old_entry[0])
        forget(stack.resource_map, name)  # gone: a rollback must create it again
        return create_resource(stack, name, resource_json)
    # REPLACE: a name the template sets conflicts in its backend, as on AWS
    new = create_resource(stack, name, resource_json)
    run.replaced[name] = (old, old_entry)
    return new


def delete_resources(stack: Any, resource_jsons: dict[str, dict[str, Any]], names: set[str]) -> list[str]:
    """Delete `names` in reverse dependency order (a stack delete, a create rollback). Returns the names that
    failed to delete.

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
        if name in blocked or not delete_one(stack, name, resource, resource_json):
            if name not in blocked:
                failed.append(name)
            blocked |= dependencies(resource_json, resource_jsons)
            continue
        forget(resources_map, name)
    return failed


@dataclass(frozen=True)
class Doomed:
    """A resource a cleanup deletes."""

    logical_id: str
    resource: Any
    resource_json: dict[str, Any]
    current: bool = True  # False: the old resource of a replacement, no longer the logical id's
    retain: bool = False


def clean_up(stack: Any, doomed: list[Doomed]) -> None:
    """Delete in reverse dependency order. A failed delete is reported and left behind: the update has
    already succeeded (or rolled back), as on AWS."""
    resource_map = stack.resource_map
    order = creation_order({item.logical_id: item.resource_json for item in doomed})
    position = {name: index for index, name in enumerate(order)}
    for item in sorted(doomed, key=lambda item: -position[item.logical_id]):
        deleted = delete_one(
            stack,
            item.logical_id,
            item.resource,
            item.resource_json,
            current=item.current,
            retain=item.retain,
        )
        if deleted and item.current:
            forget(resource_map, item.logical_id)


def _replaced_old(name: str, old: Any, old_json: dict[str, Any], new_json: dict[str, Any]) -> Doomed:
    # UpdateReplacePolicy Retain keeps the old resource, outside the stack.
    return Doomed(name, old, old_json, current=False, retain=new_json.get("UpdateReplacePolicy") == "Retain")


def update_leftovers(stack: Any, run: Run) -> list[Doomed]:
    """What an update's cleanup deletes: the old resources of replacements and the removed resources."""
    resource_map = stack.resource_map
    doomed = [
        _replaced_old(name, old, entry[0], resource_map.lc_applied[name][0])
        for name, (old, entry) in run.replaced.items()
    ]
    for name in run.removals:
        resource = resource_map._parsed_resources.get(name)
        if resource is not None:
            json = run.previous_jsons[name]
            doomed.append(Doomed(name, resource, json, retain=json.get("DeletionPolicy") == "Retain"))
    return doomed


def roll_back(stack: Any, failed: Run, template: dict[str, Any], parameters: dict[str, Any]) -> list[Doomed]:
    """Bring back the previous resources after `failed`; return what the rollback's cleanup deletes.

    Raises when a rollback step fails (the stack is then UPDATE_ROLLBACK_FAILED).
    """
    resource_map = stack.resource_map
    discarded: list[Doomed] = []
    for name, (old, entry) in failed.replaced.items():
        new = resource_map._parsed_resources.get(name)
        if new is not None and new is not old:
            # The resource the failed update made is deleted whatever its policies say, as on AWS.
            discarded.append(Doomed(name, new, resource_map.lc_applied[name][0], current=False))
        resource_map._parsed_resources[name] = old
        resource_map.lc_applied[name] = entry
        resource_event(stack, name, entry[0]["Type"], "UPDATE_COMPLETE", physical_id=physical_id(old))
    changes = plan(stack, template, parameters, renewed=failed.replaced)
    run = begin(stack, changes, renewed=failed.replaced)
    execute(stack, template, parameters, changes, run)
    return discarded + update_leftovers(stack, run)
