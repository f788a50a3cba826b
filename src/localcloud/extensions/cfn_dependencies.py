"""What a template resource depends on (Ref, Fn::GetAtt, Fn::Sub, DependsOn) and the order that follows.

CloudFormation creates a resource after everything it references and deletes in the reverse order.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
"""

import graphlib
import re
from collections.abc import Iterable
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def _sub_names(template: str) -> set[str]:
    return {variable.split(".")[0] for variable in _SUB_VARIABLE.findall(template)}


def referenced_names(value: Any) -> set[str]:
    """Every logical name or parameter the value refers to, through Ref, Fn::GetAtt and Fn::Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                template, variables = (inner[0], inner[1]) if isinstance(inner, list) else (inner, {})
                found |= _sub_names(template) - set(variables)
                found |= referenced_names(variables)
            else:
                found |= referenced_names(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= referenced_names(inner)
    return found


def depends_on(resource_json: dict[str, Any]) -> set[str]:
    explicit = resource_json.get("DependsOn") or []
    return set([explicit] if isinstance(explicit, str) else explicit)


def dependencies(resource_json: dict[str, Any], resource_names: Iterable[str]) -> set[str]:
    """The resources (not parameters) this resource must come after."""
    names = set(resource_names)
    refs = referenced_names(resource_json.get("Properties") or {}) | depends_on(resource_json)
    return refs & names


class CircularDependency(ValueError):
    """The template's resources depend on each other in a cycle; CloudFormation refuses such a template."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"Template format error: Circular dependency between resources: [{', '.join(names)}]"
        )
        self.names = names


def creation_order(resources: dict[str, dict[str, Any]]) -> list[str]:
    """Dependencies first (graphlib's topological order); among resources ready together, template order.

    Raises CircularDependency naming the resources of a cycle.
    """
    position = {name: index for index, name in enumerate(resources)}
    graph = graphlib.TopologicalSorter({name: dependencies(resources[name], resources) for name in resources})
    try:
        graph.prepare()
    except graphlib.CycleError as error:
        raise CircularDependency(sorted(set(error.args[1]))) from error
    order: list[str] = []
    while graph.is_active():
        ready = sorted(graph.get_ready(), key=position.__getitem__)
        order.extend(ready)
        graph.done(*ready)
    return order
