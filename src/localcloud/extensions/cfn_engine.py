"""The stack engine's plan: what an update will do to each resource, decided once, by one rule.

`plan` compares the applied resources with a new processed template and parameter values: Add, Modify (with
the changed top-level properties and whether the change replaces the resource, from the resource schemas)
or Remove, resources whose Condition is false left out. DescribeChangeSet shows it; the update step
(`cfn_stacks`, `cfn_resources`) applies the same replacement rule while it executes.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ResourceChange.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ._moto import parsing
from .cfn_resources import can_update_in_place, changed_properties, normalized, physical_id
from .cfn_schemas import replacement as schema_replacement
from .cfn_stacks import effective_parameters


class Action(StrEnum):
    ADD = "Add"
    MODIFY = "Modify"
    REMOVE = "Remove"


@dataclass(frozen=True)
class PlannedChange:
    action: Action
    logical_id: str
    resource_type: str
    physical_id: str = ""
    replacement: str | None = None  # "True", "False" or "Conditional" for a Modify
    changed: frozenset[str] = frozenset()


def replacement(resource_type: str, changed: set[str], region_name: str) -> str:
    """What the resource schema says; "True" also where the local cloud replaces what moto cannot update."""
    if not can_update_in_place(resource_type):
        return "True"
    return schema_replacement(resource_type, changed, region_name)


def condition_filter(
    stack: Any, template: dict[str, Any], parameters: dict[str, Any]
) -> Callable[[dict[str, Any]], bool]:
    """Evaluate the template's Conditions with the new values, as CloudFormation does for a change set."""
    if not template.get("Conditions"):
        return lambda resource_json: True
    conditions = parsing.ResourceMap(
        stack.stack_id, stack.name, dict(parameters), {}, stack.region_name, stack.account_id, template, {}
    )
    conditions.load_mapping()
    conditions.load_parameters()
    conditions.load_conditions()

    def included(resource_json: dict[str, Any]) -> bool:
        condition = resource_json.get("Condition")
        return not condition or bool(conditions.lazy_condition_map[condition])

    return included


def plan(stack: Any, template: dict[str, Any], parameters: dict[str, Any]) -> list[PlannedChange]:
    resource_map = stack.resource_map
    applied = getattr(resource_map, "lc_applied", {})
    resources = template.get("Resources") or {}
    values = effective_parameters(template, parameters)
    included = condition_filter(stack, template, parameters)
    changes: list[PlannedChange] = []
    for name, resource_json in resources.items():
        if not included(resource_json):
            continue
        kind = resource_json["Type"]
        if name not in applied:
            changes.append(PlannedChange(Action.ADD, name, kind))
            continue
        old_json, old_snapshot = applied[name]
        changed = changed_properties(old_json, old_snapshot, normalized(resource_json), values)
        retyped = old_json.get("Type") != kind
        if changed or retyped:
            changes.append(
                PlannedChange(
                    Action.MODIFY,
                    name,
                    kind,
                    physical_id(resource_map._parsed_resources.get(name)),
                    "True" if retyped else replacement(kind, changed, stack.region_name),
                    frozenset(changed),
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
                )
            )
    return changes
