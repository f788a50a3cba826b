"""The data plane's read API: which (rest_api_id, stage) serves a custom domain right now."""

from collections.abc import Sequence
from typing import Any

from localcloud.dataplane.routing_rules import DomainTarget, route

from ._moto import apigw
from .apigateway_base_path_mapping import EMPTY_BASE_PATH
from .apigatewayv2_routing_rules import routing_mode_of, rules_of


def _backends() -> list[Any]:
    # Iterate what exists; indexing a BackendDict would create empty backends for every region.
    return [
        backend
        for account in list(dict.values(apigw.apigateway_backends))
        for backend in list(dict.values(account))
    ]


def live_target(domain_name: str) -> tuple[str, str] | None:
    """(rest_api_id, stage) of the empty base path mapping of `domain_name`, or None when unmapped.

    The pair comes from one read of the mapping's `target` tuple, which updates replace in one
    assignment: a reader never sees a new API with an old stage.
    """
    for backend in _backends():
        mapping = backend.base_path_mappings.get(domain_name, {}).get(EMPTY_BASE_PATH)
        if mapping is None:
            continue
        rest_api_id, stage = mapping.target
        if stage is None:
            return None  # a mapping without a stage does not serve a stage
        return str(rest_api_id), str(stage)
    return None


def custom_domain_target(
    domain_name: str, headers: Sequence[tuple[str, str]], path: str
) -> DomainTarget | None:
    """The API stage (and the path it sees) for one request to `domain_name`, by its routing mode.

    Reads the domain's mode and rule tuple once each, then `live_target`'s one read of the mapping.
    """
    for backend in _backends():
        domain = backend.domain_names.get(domain_name)
        if domain is not None:
            mode, rules = routing_mode_of(domain), rules_of(domain)
            return route(mode, rules, live_target(domain_name), headers, path)
    return None
