"""Routing rules of a REST custom domain: which API stage serves a request, as API Gateway decides it.

Pure evaluation (no moto, no I/O): rules in priority order (lowest first), the first rule whose conditions
all hold wins (up to two header conditions with glob values, one base-path condition, ANDed); the domain's
routing mode says whether rules, base path mappings, or rules then mappings apply.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules-examples.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/set-routing-mode.html
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

Headers = Sequence[tuple[str, str]]


class RoutingMode(StrEnum):
    """The `apigateway` API's names (the `apigatewayv2` API says API_MAPPING for BASE_PATH_MAPPING)."""

    BASE_PATH_MAPPING_ONLY = "BASE_PATH_MAPPING_ONLY"
    ROUTING_RULE_THEN_BASE_PATH_MAPPING = "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
    ROUTING_RULE_ONLY = "ROUTING_RULE_ONLY"

    @property
    def uses_rules(self) -> bool:
        return self is not RoutingMode.BASE_PATH_MAPPING_ONLY

    @property
    def uses_mappings(self) -> bool:
        return self is not RoutingMode.ROUTING_RULE_ONLY


@dataclass(frozen=True)
class HeaderCondition:
    header: str  # matched case-insensitively
    value_glob: str  # matched case-sensitively against the whole value; `*` only at either end


@dataclass(frozen=True)
class InvokeApi:
    api_id: str
    stage: str
    strip_base_path: bool = False


@dataclass(frozen=True)
class RoutingRule:
    rule_id: str
    priority: int
    action: InvokeApi
    headers: tuple[HeaderCondition, ...] = ()
    base_path: str | None = None


@dataclass(frozen=True)
class DomainTarget:
    """The API stage a custom-domain request goes to, and the path that API sees."""

    rest_api_id: str
    stage: str
    path: str


def glob_matches(glob: str, value: str) -> bool:
    """`*` alone, `*suffix`, `prefix*`, `*infix*`, or a literal; case-sensitive, whole value."""
    if glob == "*":
        return True
    starts, ends = glob.startswith("*"), glob.endswith("*")
    core = glob.strip("*") if starts or ends else glob
    if starts and ends:
        return core in value
    if starts:
        return value.endswith(core)
    if ends:
        return value.startswith(core)
    return value == glob


def _segments(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def strip_base_path(base_path: str, path: str) -> str | None:
    """The path after `base_path` when the request path starts with its segments, else None."""
    wanted, actual = _segments(base_path), _segments(path)
    if actual[: len(wanted)] != wanted:
        return None
    rest = actual[len(wanted) :]
    trailing = "/" if rest and path.endswith("/") else ""
    return "/" + "/".join(rest) + trailing


def _header_holds(condition: HeaderCondition, headers: Headers) -> bool:
    name = condition.header.lower()
    # Each header line is matched on its own: a rule never matches a comma-joined list by accident.
    return any(key.lower() == name and glob_matches(condition.value_glob, value) for key, value in headers)


def rule_matches(rule: RoutingRule, headers: Headers, path: str) -> bool:
    """True when every condition of the rule holds (a rule without conditions matches everything)."""
    if not all(_header_holds(condition, headers) for condition in rule.headers):
        return False
    return rule.base_path is None or strip_base_path(rule.base_path, path) is not None


def first_match(rules: Iterable[RoutingRule], headers: Headers, path: str) -> RoutingRule | None:
    """The matching rule with the lowest priority number; later rules are never looked at."""
    for rule in sorted(rules, key=lambda r: r.priority):
        if rule_matches(rule, headers, path):
            return rule
    return None


def _rule_target(rule: RoutingRule, path: str) -> DomainTarget:
    forwarded = path
    if rule.action.strip_base_path and rule.base_path is not None:
        forwarded = strip_base_path(rule.base_path, path) or "/"
    return DomainTarget(rule.action.api_id, rule.action.stage, forwarded)


def route(
    mode: RoutingMode,
    rules: Iterable[RoutingRule],
    mapping: tuple[str, str] | None,
    headers: Headers,
    path: str,
) -> DomainTarget | None:
    """Where a request to a custom domain goes: rules first when the mode allows, then the empty-path mapping.

    `mapping` is the (rest_api_id, stage) of the domain's empty base path mapping, or None. None as the
    answer means nothing serves the request (API Gateway answers 403).
    """
    if mode.uses_rules:
        rule = first_match(rules, headers, path)
        if rule is not None:
            return _rule_target(rule, path)
    if mode.uses_mappings and mapping is not None:
        return DomainTarget(mapping[0], mapping[1], path)
    return None
