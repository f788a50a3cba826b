"""Exports and the stacks that import them, as CloudFormation keeps them.

A stack publishes its outputs' `Export` names once it is CREATE_COMPLETE or UPDATE_COMPLETE; every stack
remembers the export names its current template imports (`Fn::ImportValue` in an included resource or an
output). An export in use cannot go: DeleteStack of its stack changes nothing (the stack keeps its status,
with "Export X cannot be deleted as it is in use by Y" as the reason), and an update that removes or
changes it rolls back. ListImports answers from the same record.
Docs: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-importvalue.html
      https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListImports.html
"""

import logging
from collections.abc import Iterator
from typing import Any

from localcloud.patches import Patch, register

from ._moto import ValidationError, cfn, cfn_responses, parsing

log = logging.getLogger("localcloud.cloudformation")

IMPORT = "Fn::ImportValue"
_SETTLED = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")


class ExportConflict(Exception):
    """An update or create would drop or change an export in use, or take a name another stack exports."""


def backend_of(stack: Any) -> Any:
    return cfn.cloudformation_backends[stack.account_id][stack.region_name]


# --- what a stack imports -------------------------------------------------------------------------


def _import_expressions(node: Any, resource_map: Any) -> Iterator[Any]:
    """Each Fn::ImportValue's argument, in the branches of Fn::If that the conditions select."""
    if isinstance(node, dict):
        if IMPORT in node:
            yield node[IMPORT]
            return
        branches = node.get("Fn::If")
        if isinstance(branches, list) and len(branches) == 3:
            chosen = branches[1] if resource_map.lazy_condition_map[branches[0]] else branches[2]
            yield from _import_expressions(chosen, resource_map)
            return
        for value in node.values():
            yield from _import_expressions(value, resource_map)
    elif isinstance(node, list):
        for value in node:
            yield from _import_expressions(value, resource_map)


def _included(resource_map: Any, resource_json: dict[str, Any]) -> bool:
    condition = resource_json.get("Condition") if isinstance(resource_json, dict) else None
    return not condition or bool(resource_map.lazy_condition_map[condition])


def imported_names(stack: Any) -> frozenset[str]:
    """The export names the stack's current template imports (its parameters resolved; AWS forbids
    resource references inside an import's name)."""
    template = stack.template_dict or {}
    resource_map = stack.resource_map
    names: set[str] = set()
    try:
        nodes = [
            resource_json
            for resource_json in (template.get("Resources") or {}).values()
            if _included(resource_map, resource_json)
        ]
        nodes += [spec for spec in (template.get("Outputs") or {}).values() if _included(resource_map, spec)]
        for node in nodes:
            for expression in _import_expressions(node, resource_map):
                names.add(str(parsing.clean_json(expression, resource_map)))
    except Exception:  # a template the engine accepted but this walk cannot read: keep what was found
        log.warning("Imports of stack %s could not all be read", stack.name, exc_info=True)
    return frozenset(names)


def record_imports(stack: Any) -> None:
    """After a create or update settles: what the stack imports from now on."""
    stack.lc_imports = imported_names(stack)


def release_imports(stack: Any) -> None:
    """The stack is gone or never came to be: it imports nothing."""
    stack.lc_imports = frozenset()


def imports_of(stack: Any) -> frozenset[str]:
    recorded: frozenset[str] | None = getattr(stack, "lc_imports", None)
    if recorded is None:  # a stack restored from a snapshot taken before imports were recorded
        settled = stack.status in _SETTLED
        recorded = imported_names(stack) if settled else frozenset()
        stack.lc_imports = recorded
    return recorded


def importers(backend: Any, export_name: str, exporting_stack_id: str | None = None) -> list[str]:
    """Names of the live stacks that import `export_name` (never the exporting stack itself)."""
    return [
        stack.name
        for stack in backend.stacks.values()
        if stack.stack_id != exporting_stack_id and export_name in imports_of(stack)
    ]


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- what a stack exports -------------------------------------------------------------------------


def current_exports(stack: Any) -> list[Any]:
    """The stack's exports now; an output whose Condition is false exports nothing (moto's list has it)."""
    outputs = (stack.template_dict or {}).get("Outputs") or {}
    excluded = {
        str(parsing.clean_json(spec["Export"].get("Name"), stack.resource_map))
        for spec in outputs.values()
        if isinstance(spec, dict) and spec.get("Export") and not _included(stack.resource_map, spec)
    }
    return [export for export in stack.exports if export.name not in excluded]


def published(backend: Any, stack: Any) -> dict[str, Any]:
    return {name: e for name, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id}


def require_changes_allowed(stack: Any) -> None:
    """Before an update completes: its new exports must not drop or change one in use, nor take a name
    another stack exports. Raises ExportConflict (the update then rolls back)."""
    backend = backend_of(stack)
    new = {export.name: export for export in current_exports(stack)}
    for name, old in published(backend, stack).items():
        users = importers(backend, name, stack.stack_id)
        if not users:
            continue
        if name not in new:
            raise ExportConflict(f"Cannot delete export {name} as it is in use by {_joined(users)}.")
        if new[name].value != old.value:
            raise ExportConflict(f"Cannot update export {name} as it is in use by {_joined(users)}.")
    require_unique(stack)


def require_unique(stack: Any) -> None:
    backend = backend_of(stack)
    for export in current_exports(stack):
        other = backend.exports.get(export.name)
        if other is not None and other.exporting_stack_id != stack.stack_id:
            owner = backend.stacks.get(other.exporting_stack_id)
            raise ExportConflict(
                f"Export with name {export.name} is already exported by stack "
                f"{owner.name if owner else other.exporting_stack_id}"
            )


def publish(stack: Any) -> None:
    """The stack's exports as they are now replace the ones it published before."""
    backend = backend_of(stack)
    withdraw(stack)
    for export in current_exports(stack):
        backend.exports[export.name] = export


def withdraw(stack: Any) -> None:
    backend = backend_of(stack)
    for name in published(backend, stack):
        backend.exports.pop(name)


def settle(stack: Any) -> None:
    """A create or update ended (COMPLETE or rolled back): publish what it exports, record what it imports."""
    if stack.status in _SETTLED:
        publish(stack)
        record_imports(stack)
    elif stack.status == "ROLLBACK_COMPLETE":
        withdraw(stack)
        release_imports(stack)


def delete_refusal(stack: Any) -> str | None:
    """Why DeleteStack must leave the stack alone: the first of its exports another stack imports."""
    backend = backend_of(stack)
    for name in published(backend, stack):
        users = importers(backend, name, stack.stack_id)
        if users:
            return f"Export {name} cannot be deleted as it is in use by {_joined(users)}"
    return None


# --- ListImports ----------------------------------------------------------------------------------


def response_list_imports(self: Any) -> Any:
    name = self._get_param("ExportName")
    users = importers(self.cloudformation_backend, name)
    if not users:
        raise ValidationError(message=f"Export '{name}' is not imported by any stack.")
    return cfn_responses.ActionResult({"Imports": users})


register(
    __name__,
    Patch(
        cfn_responses.CloudFormationResponse,
        "list_imports",
        "ListImports: the stacks that import an export",
        new=response_list_imports,
        adds=True,
    ),
)
