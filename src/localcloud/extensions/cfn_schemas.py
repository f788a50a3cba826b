"""What CloudFormation's resource schemas say about updates: which properties are create-only.

A change to a create-only property replaces the resource ("Update requires: Replacement"); the schemas
are the registry's own (the ones cfn-lint ships), so the rule is read, not hand-written per type.
Doc: https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html
"""

import functools
import json
from importlib import resources
from typing import Any

_SCHEMAS = "cfnlint.data.schemas"
_DEFAULT_REGION = "us-east-1"


@functools.cache
def _index(region_name: str) -> dict[str, str]:
    providers = resources.files(_SCHEMAS).joinpath("providers")
    name = f"{region_name}.json"
    if not providers.joinpath(name).is_file():
        name = f"{_DEFAULT_REGION}.json"
    index: dict[str, str] = json.loads(providers.joinpath(name).read_text())
    return index


@functools.cache
def schema(resource_type: str, region_name: str = _DEFAULT_REGION) -> dict[str, Any] | None:
    """The resource type's schema, or None for a type the registry does not know (e.g. Custom::)."""
    key = _index(region_name).get(resource_type)
    if key is None:
        return None
    document: dict[str, Any] = json.loads(
        resources.files(_SCHEMAS).joinpath("resources", f"{key}.json").read_text()
    )
    return document


def _property_paths(resource_type: str, region_name: str, field: str) -> tuple[tuple[str, ...], ...]:
    document = schema(resource_type, region_name) or {}
    return tuple(
        tuple(part for part in pointer.split("/")[2:] if part != "*")
        for pointer in document.get(field) or []
        if pointer.startswith("/properties/")
    )


def create_only_properties(resource_type: str, region_name: str = _DEFAULT_REGION) -> frozenset[str]:
    """Top-level properties whose change always replaces the resource."""
    return frozenset(
        path[0]
        for path in _property_paths(resource_type, region_name, "createOnlyProperties")
        if len(path) == 1
    )


def _nested_create_only(resource_type: str, region_name: str) -> frozenset[str]:
    return frozenset(
        path[0]
        for path in _property_paths(resource_type, region_name, "createOnlyProperties")
        if len(path) > 1
    )


def replacement(resource_type: str, changed: set[str], region_name: str = _DEFAULT_REGION) -> str:
    """ResourceChange.Replacement for a change of `changed` top-level properties: True, False, Conditional.

    Conditional when only a property with create-only parts inside changed, or the schema is unknown.
    """
    if schema(resource_type, region_name) is None:
        return "Conditional"
    if changed & create_only_properties(resource_type, region_name):
        return "True"
    if changed & _nested_create_only(resource_type, region_name):
        return "Conditional"
    return "False"


def changed_properties(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def requires_replacement(
    resource_type: str, old: dict[str, Any], new: dict[str, Any], region_name: str = _DEFAULT_REGION
) -> bool:
    """Whether going from properties `old` to `new` replaces the resource (create-only top-level change)."""
    return bool(changed_properties(old, new) & create_only_properties(resource_type, region_name))
