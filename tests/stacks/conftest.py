"""Shared loaders for the template tests: the stacks as text, as parsed YAML, and SAM-expanded."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

STACKS = Path(__file__).resolve().parents[2] / "stacks"
COLORS = ("blue", "green")
ALL_STACKS = ("blue", "green", "custom-domain", "data")


def stack_path(name: str) -> Path:
    return STACKS / f"{name}-stack.yaml"


def load_stack(name: str) -> dict[str, Any]:
    return yaml_parse(stack_path(name).read_text())


class _NoManagedPolicies:
    """The templates name no managed policy by short name, so the transform needs no IAM lookup."""

    def load(self) -> dict[str, str]:
        return {}


def expand(name: str, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The template as CloudFormation sees it after `sam package` and the SAM transform."""
    template = copy.deepcopy(load_stack(name))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/function.zip"  # what sam package writes
    values = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", **(parameters or {})}
    return transform(template, values, _NoManagedPolicies())


@pytest.fixture(scope="session", autouse=True)
def _region(tmp_path_factory: pytest.TempPathFactory) -> None:
    # samtranslator and cfn-lint want a region; they need no credentials.
    import os

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
