"""Read-only access to moto's API Gateway objects: APIs, stages, the resource tree, integrations.

moto is untyped; everything it returns is narrowed here into small frozen records the gateway uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localcloud.extensions._moto import apigw


@dataclass(frozen=True)
class Route:
    resource_id: str
    resource_path: str
    http_method: str
    path_parameters: dict[str, str]
    integration_type: str | None
    integration_uri: str | None
    timeout_ms: int


def _backends(region: str | None = None) -> list[Any]:
    # dict.values avoids BackendDict's auto-creation of a backend per looked-up region.
    return [
        backend
        for account in list(dict.values(apigw.apigateway_backends))
        for name, backend in list(dict.items(account))
        if region is None or name == region
    ]


def find_rest_api(api_id: str, region: str | None = None) -> Any | None:
    for backend in _backends(region):
        api = backend.apis.get(api_id)
        if api is not None:
            return api
    return None


def stage_variables(api: Any, stage_name: str) -> dict[str, str] | None:
    """The stage's variables, or None when the API has no such stage."""
    stage = api.stages.get(stage_name)
    if stage is None:
        return None
    return {str(k): str(v) for k, v in (stage.variables or {}).items()}


def binary_media_types(api: Any) -> list[str]:
    return [str(t).replace("~1", "/") for t in (api.binaryMediaTypes or []) if t]


def _children(resources: dict[str, Any]) -> tuple[Any, dict[str, list[Any]]]:
    root = None
    children: dict[str, list[Any]] = {}
    for resource in list(resources.values()):
        if resource.parent_id is None:
            root = resource
        else:
            children.setdefault(resource.parent_id, []).append(resource)
    return root, children


def _kind(path_part: str) -> int:
    """Match precedence of a path part: literal, then {param}, then greedy {param+}."""
    if path_part.startswith("{") and path_part.endswith("+}"):
        return 2
    if path_part.startswith("{") and path_part.endswith("}"):
        return 1
    return 0


def _match(
    resource: Any, segments: list[str], index: int, children: dict[str, list[Any]], params: dict[str, str]
) -> tuple[Any, dict[str, str]] | None:
    if index == len(segments):
        return resource, params
    segment = segments[index]
    for child in sorted(children.get(resource.id, []), key=lambda c: _kind(c.path_part)):
        part, kind = child.path_part, _kind(child.path_part)
        if kind == 0 and part == segment:
            found = _match(child, segments, index + 1, children, params)
        elif kind == 1:
            found = _match(child, segments, index + 1, children, {**params, part[1:-1]: segment})
        elif kind == 2:
            return child, {**params, part[1:-2]: "/".join(segments[index:])}
        else:
            continue
        if found is not None:
            return found
    return None


def _resource_path(resource: Any, resources: dict[str, Any]) -> str:
    parts: list[str] = []
    while resource is not None and resource.parent_id is not None:
        parts.append(resource.path_part)
        resource = resources.get(resource.parent_id)
    return "/" + "/".join(reversed(parts))


def match_route(api: Any, path: str, http_method: str) -> Route | None:
    """The resource and method API Gateway would pick for this path, or None (403 on AWS)."""
    resources = dict(api.resources)
    root, children = _children(resources)
    if root is None:
        return None
    segments = [segment for segment in path.split("/") if segment]
    matched = _match(root, segments, 0, children, {})
    if matched is None:
        return None
    resource, params = matched
    methods = dict(resource.resource_methods)
    method = methods.get(http_method) or methods.get("ANY")
    if method is None:
        return None
    integration = method.method_integration
    timeout = getattr(integration, "timeout_in_millis", None) if integration is not None else None
    return Route(
        resource_id=str(resource.id),
        resource_path=_resource_path(resource, resources),
        http_method=http_method,
        path_parameters=params,
        integration_type=str(integration.integration_type) if integration is not None else None,
        integration_uri=str(integration.uri) if integration is not None and integration.uri else None,
        timeout_ms=int(timeout) if timeout else 29000,
    )
