"""The custom-domain stack: a switch is an in-place update of one mapping, never a replacement."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from tests.stacks.conftest import load_stack


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_stack("custom-domain")


def _create_only(resource_type: str) -> set[str]:
    """Properties whose change makes CloudFormation replace the resource (AWS's resource schema)."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    return {pointer.removeprefix("/properties/") for pointer in schema.get("createOnlyProperties", [])}


def test_switch_parameters_feed_only_properties_that_update_in_place(template: dict[str, Any]) -> None:
    mapping = template["Resources"]["LiveMapping"]
    assert mapping["Type"] == "AWS::ApiGateway::BasePathMapping"
    properties = mapping["Properties"]
    assert properties["RestApiId"] == {"Ref": "ActiveApiId"}
    assert properties["Stage"] == {"Ref": "ActiveApiStage"}
    replacing = _create_only("AWS::ApiGateway::BasePathMapping")
    assert {"BasePath", "DomainName"} <= replacing
    assert not {"RestApiId", "Stage"} & replacing


def test_mapping_takes_the_root_path_of_a_domain_that_never_depends_on_the_switch(
    template: dict[str, Any],
) -> None:
    properties = template["Resources"]["LiveMapping"]["Properties"]
    assert "BasePath" not in properties, "an empty base path: the whole domain follows the switch"
    assert properties["DomainName"] == {"Ref": "CustomDomain"}
    domain = template["Resources"]["CustomDomain"]["Properties"]
    assert domain["DomainName"] == {"Ref": "CustomDomainName"}
    switch_inputs = {"ActiveApiId", "ActiveApiStage"}
    assert not switch_inputs & _refs(domain), "the domain must not change when traffic switches"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["Ref"]} if isinstance(node.get("Ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def test_domain_is_regional_with_tls_1_2_or_better_by_default(template: dict[str, Any]) -> None:
    domain = template["Resources"]["CustomDomain"]["Properties"]
    assert domain["EndpointConfiguration"]["Types"] == ["REGIONAL"]
    policy = template["Parameters"]["SecurityPolicy"]
    assert policy["Default"] == "TLS_1_2"
    assert "TLS_1_0" not in policy["AllowedValues"]
    assert "SecurityPolicy_TLS13_1_3_2025_09" in policy["AllowedValues"], "TLS 1.3 only on request"


def test_alias_records_point_at_the_domains_regional_name(template: dict[str, Any]) -> None:
    for name, kind in (("AliasRecordA", "A"), ("AliasRecordAAAA", "AAAA")):
        record = template["Resources"][name]["Properties"]
        assert record["Type"] == kind
        assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": ["CustomDomain", "RegionalDomainName"]}
        assert record["AliasTarget"]["HostedZoneId"] == {
            "Fn::GetAtt": ["CustomDomain", "RegionalHostedZoneId"]
        }


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        (
            "ActiveApiId",
            ["a1b2c3d4e5"],
            ["https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/v1", "A1B2C3D4E5", ""],
        ),
        ("ActiveApiStage", ["v1", "prod_2"], ["v1/", "", "a b"]),
        (
            "CustomDomainName",
            ["api.example.com", "a-b.c.example.org"],
            ["API.example.com", "-a.example.com", "example"],
        ),
        (
            "CertificateArn",
            ["arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666"],
            ["arn:aws:iam::123456789012:role/x", "certificate"],
        ),
        ("PublicHostedZoneId", ["Z0123456789ABCDEFGHIJ"], ["/hostedzone/Z01", "z0123"]),
    ],
)
def test_parameters_reject_what_the_sample_users_pasted_by_mistake(
    template: dict[str, Any], parameter: str, good: list[str], bad: list[str]
) -> None:
    spec = template["Parameters"][parameter]
    pattern = re.compile(spec["AllowedPattern"])

    def valid(value: str) -> bool:
        length_ok = spec.get("MinLength", 0) <= len(value) <= spec.get("MaxLength", 10**6)
        return length_ok and pattern.fullmatch(value) is not None

    assert all(valid(value) for value in good)
    assert not any(valid(value) for value in bad)


def test_outputs_are_the_interface_the_tooling_reads(template: dict[str, Any]) -> None:
    assert set(template["Outputs"]) == {
        "CustomDomainUrl",
        "ActiveApiId",
        "ActiveApiStage",
        "RegionalDomainName",
        "RegionalHostedZoneId",
    }


def test_the_lock_and_history_table_is_not_deleted_with_the_domain(template: dict[str, Any]) -> None:
    # The switch table lives in the data stack (retained), so `make delete-domain` keeps the audit record.
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert tables == []


def test_domain_routes_rules_then_the_mapping_and_changing_the_mode_is_no_replacement(
    template: dict[str, Any],
) -> None:
    domain = template["Resources"]["CustomDomain"]["Properties"]
    assert domain["RoutingMode"] == "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
    assert "RoutingMode" not in _create_only("AWS::ApiGateway::DomainName")
    preview_inputs = {"PreviewColor", "PreviewApiId", "PreviewApiStage"}
    assert not preview_inputs & _refs(domain), "the domain must not change when the preview moves"


def test_preview_rule_moves_in_place_and_never_touches_the_live_mapping(template: dict[str, Any]) -> None:
    rule = template["Resources"]["PreviewRule"]
    assert rule["Type"] == "AWS::ApiGatewayV2::RoutingRule"
    assert rule["Condition"] == "HasPreview"
    properties = rule["Properties"]
    assert properties["DomainNameArn"] == {"Fn::GetAtt": ["CustomDomain", "DomainNameArn"]}
    replacing = _create_only("AWS::ApiGatewayV2::RoutingRule")
    assert replacing == {"DomainNameArn"}
    preview_inputs = {"PreviewColor", "PreviewApiId", "PreviewApiStage"}
    assert preview_inputs <= _refs(properties)
    assert not preview_inputs & _refs(properties["DomainNameArn"])
    assert not preview_inputs & _refs(template["Resources"]["LiveMapping"])


def test_preview_matches_only_the_header_naming_the_previewed_color(template: dict[str, Any]) -> None:
    properties = template["Resources"]["PreviewRule"]["Properties"]
    (condition,) = properties["Conditions"]
    assert condition == {
        "MatchHeaders": {"AnyOf": [{"Header": "X-Bluegreen-Preview", "ValueGlob": {"Ref": "PreviewColor"}}]}
    }
    (action,) = properties["Actions"]
    assert action == {"InvokeApi": {"ApiId": {"Ref": "PreviewApiId"}, "Stage": {"Ref": "PreviewApiStage"}}}
    assert template["Parameters"]["PreviewColor"]["AllowedValues"] == ["", "blue", "green"]
    names = ["PreviewColor", "PreviewApiId", "PreviewApiStage"]
    any_set = {"Fn::Or": [{"Fn::Not": [{"Fn::Equals": [{"Ref": n}, ""]}]} for n in names]}
    assert template["Conditions"]["HasPreview"] == any_set, "a half-set preview fails, never ignored"


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        ("PreviewApiId", ["", "a1b2c3d4e5"], ["A1B2C3D4E5", "a1b2", "a1b2c3d4e5f"]),
        ("PreviewApiStage", ["", "live", "prod_2"], ["v1/", "a b"]),
    ],
)
def test_preview_parameters_are_empty_or_valid(
    template: dict[str, Any], parameter: str, good: list[str], bad: list[str]
) -> None:
    spec = template["Parameters"][parameter]
    assert spec["Default"] == "", "no preview unless asked for"
    pattern = re.compile(spec["AllowedPattern"])

    def valid(value: str) -> bool:
        return len(value) <= spec["MaxLength"] and pattern.fullmatch(value) is not None

    assert all(valid(value) for value in good)
    assert not any(valid(value) for value in bad)


def test_preview_parameters_are_set_together_or_not_at_all(template: dict[str, Any]) -> None:
    # CloudFormation checks template Rules before it changes anything: a half-set preview is refused.
    (assertion,) = template["Rules"]["PreviewIsAllOrNothing"]["Assertions"]
    all_empty, all_set = assertion["Assert"]["Fn::Or"]
    names = ["PreviewColor", "PreviewApiId", "PreviewApiStage"]
    assert all_empty == {"Fn::And": [{"Fn::Equals": [{"Ref": n}, ""]} for n in names]}
    assert all_set == {"Fn::And": [{"Fn::Not": [{"Fn::Equals": [{"Ref": n}, ""]}]} for n in names]}
