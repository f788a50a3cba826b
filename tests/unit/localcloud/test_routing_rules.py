"""Routing rules decide like API Gateway: the cases of the AWS documentation's examples, one by one.

https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules-examples.html
https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-routing-rules.html
"""

from __future__ import annotations

import pytest

from localcloud.dataplane.routing_rules import (
    DomainTarget,
    HeaderCondition,
    InvokeApi,
    RoutingMode,
    RoutingRule,
    glob_matches,
    route,
)

RULES_ONLY = RoutingMode.ROUTING_RULE_ONLY
RULES_THEN_MAPPINGS = RoutingMode.ROUTING_RULE_THEN_BASE_PATH_MAPPING
MAPPINGS_ONLY = RoutingMode.BASE_PATH_MAPPING_ONLY


def rule(
    rule_id: str,
    priority: int,
    api: str,
    *headers: tuple[str, str],
    base_path: str | None = None,
    stage: str = "prod",
    strip: bool = False,
) -> RoutingRule:
    return RoutingRule(
        rule_id=rule_id,
        priority=priority,
        action=InvokeApi(api, stage, strip),
        headers=tuple(HeaderCondition(name, glob) for name, glob in headers),
        base_path=base_path,
    )


def api_of(target: DomainTarget | None) -> str | None:
    return None if target is None else target.rest_api_id


# Example 1: routing rules only (the rules are given out of order: priority decides, not position)
EXAMPLE_1 = [
    rule("efg456", 100, "api3"),
    rule("zzz000", 50, "api2", ("Accept", "image/webp"), ("Pet", "Dog-*"), base_path="PetStoreShopper"),
    rule("abc123", 10, "api1", ("Hello", "World")),
]


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/", [("Hello", "World")], "api1"),
        ("/PetStoreShopper", [("Hello", "World"), ("Pet", "Dog-Bella"), ("Accept", "image/webp")], "api1"),
        ("/PetStoreShopper", [("Pet", "Dog-Bella"), ("Accept", "image/webp")], "api2"),
        ("/PetStoreShopper", [("Pet", "Dog-Bella")], "api3"),
    ],
)
def test_example_1_rules_only(path: str, headers: list[tuple[str, str]], expected: str) -> None:
    # GIVEN the domain in ROUTING_RULE_ONLY with the three rules of example 1
    # WHEN a request arrives
    target = route(RULES_ONLY, EXAMPLE_1, None, headers, path)
    # THEN the first rule by priority whose conditions all hold serves it
    assert api_of(target) == expected


# Example 2: routing rules, then API mappings (only the empty-path mapping is routed locally)
EXAMPLE_2 = [
    rule("abc123", 1, "PetStore", base_path="pets"),
    rule("000zzz", 5, "Refunds", ("Cookie", "*ux=beta*"), base_path="refunds", stage="Beta"),
]
SEARCH_MAPPING = ("Search", "Prod")


def test_example_2_rule_on_base_path() -> None:
    target = route(RULES_THEN_MAPPINGS, EXAMPLE_2, SEARCH_MAPPING, [], "/pets")
    assert target == DomainTarget("PetStore", "prod", "/pets")


def test_example_2_cookie_contains_match_with_base_path() -> None:
    target = route(
        RULES_THEN_MAPPINGS, EXAMPLE_2, SEARCH_MAPPING, [("Cookie", "lang=en-us;ux=beta")], "/refunds"
    )
    assert target == DomainTarget("Refunds", "Beta", "/refunds")


def test_example_2_falls_back_to_the_empty_path_mapping() -> None:
    target = route(RULES_THEN_MAPPINGS, EXAMPLE_2, SEARCH_MAPPING, [], "/")
    assert target == DomainTarget("Search", "Prod", "/")


# Example 3: rules always win over mappings in ROUTING_RULE_THEN_API_MAPPING; no match and no mapping is 403
EXAMPLE_3 = [
    rule("abc123", 10, "api1", ("Hello", "World")),
    rule("000zzz", 50, "api2", ("Accept", "image/webp"), ("Pet", "Dog-*"), base_path="PetStoreShopper"),
]


def test_example_3_rule_wins_over_a_mapping() -> None:
    target = route(
        RULES_THEN_MAPPINGS, EXAMPLE_3, ("api4", "prod"), [("Hello", "World")], "/PetStoreShopper/cats"
    )
    assert api_of(target) == "api1"


def test_example_3_missing_header_falls_back_to_the_mapping() -> None:
    headers = [("Accept", "image/webp"), ("Pet", "Cats")]
    target = route(RULES_THEN_MAPPINGS, EXAMPLE_3, ("api3", "prod"), headers, "/PetStoreShopper")
    assert api_of(target) == "api3"


def test_example_3_no_rule_and_no_mapping_serves_nothing() -> None:
    assert route(RULES_THEN_MAPPINGS, EXAMPLE_3, None, [("Pet", "Dog-Bella")], "/Admin") is None


# Example 4: the Host header as a condition, with a catch-all rule
EXAMPLE_4 = [
    rule("abc123", 10, "api1", ("Host", "a.example.com")),
    rule("000zzz", 50, "api2", ("Host", "b.example.com")),
    rule("efg456", 500, "api3"),
]


@pytest.mark.parametrize(
    ("host", "expected"),
    [("a.example.com", "api1"), ("b.example.com", "api2"), ("testing.example.com", "api3")],
)
def test_example_4_host_header_rules(host: str, expected: str) -> None:
    assert api_of(route(RULES_ONLY, EXAMPLE_4, None, [("Host", host)], "/")) == expected


# Header globs: the wildcard table of the routing rules page
VALUES = ["account", "alpha", "backup", "beta", "users"]


@pytest.mark.parametrize(
    ("globs", "matching"),
    [
        (["a*"], {"account", "alpha"}),
        (["*a"], {"alpha", "beta"}),
        (["*a*"], {"account", "alpha", "backup", "beta"}),
        (["*a*", "*b*"], {"backup", "beta"}),
        (["b*", "*a"], {"beta"}),
        (["*"], set(VALUES)),
    ],
)
def test_header_glob_table(globs: list[str], matching: set[str]) -> None:
    only = [rule("r", 1, "api", *[("x-version", glob) for glob in globs])]
    matched = {value for value in VALUES if route(RULES_ONLY, only, None, [("x-version", value)], "/")}
    assert matched == matching


def test_header_name_is_case_insensitive_and_value_case_sensitive() -> None:
    only = [rule("r", 1, "api", ("Hello", "World"))]
    assert route(RULES_ONLY, only, None, [("hello", "World")], "/") is not None
    assert route(RULES_ONLY, only, None, [("Hello", "world")], "/") is None


def test_each_header_line_is_matched_literally_on_its_own() -> None:
    # `Accept: *json` matches a request with two Accept lines, not one comma-joined line
    only = [rule("r", 1, "api", ("Accept", "*json"))]
    two_lines = [("Accept", "application/json"), ("Accept", "text/xml")]
    assert route(RULES_ONLY, only, None, two_lines, "/") is not None
    assert route(RULES_ONLY, only, None, [("Accept", "application/json,text/xml")], "/") is None


def test_literal_glob_must_equal_the_whole_value() -> None:
    assert glob_matches("green", "green")
    assert not glob_matches("green", "greenish")
    assert not glob_matches("green", "a green")


# Base paths: case-sensitive, whole segments, optionally stripped before the API sees the path
@pytest.mark.parametrize(
    ("base_path", "strip", "path", "seen"),
    [
        ("PetStoreShopper/dogs", True, "/PetStoreShopper/dogs", "/"),
        ("PetStoreShopper/dogs", False, "/PetStoreShopper/dogs", "/PetStoreShopper/dogs"),
        ("PetStoreShopper", True, "/PetStoreShopper/dogs", "/dogs"),
        ("PetStoreShopper", False, "/PetStoreShopper/dogs", "/PetStoreShopper/dogs"),
        ("PetStoreShopper", True, "/PetStoreShopper", "/"),
    ],
)
def test_strip_base_path_table(base_path: str, strip: bool, path: str, seen: str) -> None:
    only = [rule("r", 1, "api", base_path=base_path, strip=strip)]
    assert route(RULES_ONLY, only, None, [], path) == DomainTarget("api", "prod", seen)


@pytest.mark.parametrize("path", ["/new/users", "/New/UsersList", "/", "/x/New/Users"])
def test_base_path_is_case_sensitive_and_matches_leading_segments_only(path: str) -> None:
    only = [rule("r", 1, "api", base_path="New/Users")]
    assert route(RULES_ONLY, only, None, [], path) is None


def test_headers_and_base_path_are_anded() -> None:
    only = [rule("r", 1, "api", ("X-Bluegreen-Preview", "green"), base_path="orders")]
    assert route(RULES_ONLY, only, None, [("X-Bluegreen-Preview", "green")], "/orders/1") is not None
    assert route(RULES_ONLY, only, None, [("X-Bluegreen-Preview", "green")], "/pets") is None
    assert route(RULES_ONLY, only, None, [], "/orders/1") is None


# Routing modes
PREVIEW = [rule("preview", 100, "green-api", ("X-Bluegreen-Preview", "green"), stage="live")]
LIVE = ("blue-api", "live")
PREVIEW_HEADER = [("X-Bluegreen-Preview", "green")]


def test_mapping_only_mode_ignores_rules() -> None:
    assert api_of(route(MAPPINGS_ONLY, PREVIEW, LIVE, PREVIEW_HEADER, "/health")) == "blue-api"


def test_rules_then_mapping_sends_only_the_preview_header_to_the_rule() -> None:
    assert api_of(route(RULES_THEN_MAPPINGS, PREVIEW, LIVE, PREVIEW_HEADER, "/health")) == "green-api"
    assert api_of(route(RULES_THEN_MAPPINGS, PREVIEW, LIVE, [], "/health")) == "blue-api"
    other = [("X-Bluegreen-Preview", "blue")]
    assert api_of(route(RULES_THEN_MAPPINGS, PREVIEW, LIVE, other, "/health")) == "blue-api"


def test_rules_only_mode_ignores_mappings() -> None:
    assert route(RULES_ONLY, PREVIEW, LIVE, [], "/health") is None
