"""GIVEN the three stacks WHEN the linters users run in review check them THEN they report nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stacks.conftest import ALL_STACKS, stack_path

VENV_BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(VENV_BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: run make install"
    return found


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_cfn_lint_reports_nothing(stack: str) -> None:
    result = subprocess.run(
        [_tool("cfn-lint"), str(stack_path(stack))], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_sam_validate_lint_passes(stack: str) -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0"}
    result = subprocess.run(
        [_tool("sam"), "validate", "--lint", "--template-file", str(stack_path(stack))],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr
