"""GIVEN the stacks WHEN the lint transform expands them for cfn-guard THEN the rules see the
resources SAM generates, and every suppression travels with the resources it was written for."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guard import check_suppressions, transform

STACKS = Path(__file__).resolve().parents[2] / "stacks"


@pytest.mark.parametrize("color", ["blue", "green"])
def test_color_stack_expands_to_the_stage_and_function_the_rules_check(color: str) -> None:
    expanded = transform.expand(transform.load(STACKS / f"{color}-stack.yaml"))
    types = {resource["Type"] for resource in expanded["Resources"].values()}
    assert {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::Lambda::Function"} <= types
    assert not any(kind.startswith("AWS::Serverless::") for kind in types)


@pytest.mark.parametrize("color", ["blue", "green"])
def test_generated_resources_keep_their_source_resources_suppressions(color: str) -> None:
    source = transform.load(STACKS / f"{color}-stack.yaml")
    expanded = transform.expand(transform.load(STACKS / f"{color}-stack.yaml"))
    function_id = f"{color.capitalize()}Function"
    written = source["Resources"][function_id]["Metadata"]
    permissions = [r for r in expanded["Resources"].values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permissions
    assert all(p.get("Metadata") == written for p in permissions)


def test_templates_without_the_transform_are_left_as_they_are() -> None:
    template = transform.load(STACKS / "custom-domain-stack.yaml")
    assert transform.expand(template) == template


def test_every_checkov_skip_in_the_stacks_says_why() -> None:
    for path in sorted(STACKS.glob("*.yaml")):
        assert check_suppressions.unexplained(transform.load(path)) == [], path


def test_a_checkov_skip_without_comment_is_reported() -> None:
    template = {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic", "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_26"}]}}}
        }
    }
    assert check_suppressions.unexplained(template) == [
        "Topic: checkov skip of CKV_AWS_26 has no comment (reason)"
    ]
