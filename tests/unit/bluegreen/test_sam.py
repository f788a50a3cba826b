"""Running the SAM CLI: absolute paths, the venv's python3.13 on PATH, output streamed and inspected."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from bluegreen.config import Project
from bluegreen.errors import ConfigError, OperationFailed
from bluegreen.sam import Sam, deploy_argv, run_streaming, sam_environment
from tests.unit.bluegreen.world import write_project


def test_sam_sees_this_interpreters_folder_first_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin")
    path = sam_environment()["PATH"].split(os.pathsep)
    assert path[0] == str(Path(sys.executable).parent) and "/usr/bin" in path


def test_run_streaming_echoes_and_returns_lines() -> None:
    echoed: list[str] = []
    code, lines = run_streaming(
        [sys.executable, "-c", "print('one'); print('two'); raise SystemExit(3)"], echoed.append
    )
    assert (code, lines, echoed) == (3, ["one", "two"], ["one", "two"])


def test_deploy_argv_quotes_values_with_spaces(tmp_path: Path) -> None:
    config = Project(write_project(tmp_path), "local").deploy_config("custom-domain")
    argv = deploy_argv("sam", config, config.template_file, {"A": "x", "B": "two words"})
    assert argv[argv.index("--parameter-overrides") + 1] == 'A=x B="two words"'
    assert argv[argv.index("--config-env") + 1] == "local"


def test_failures_and_missing_files_are_reported(tmp_path: Path) -> None:
    project = Project(write_project(tmp_path), "default")
    config = project.deploy_config("green")
    failing = Sam(
        project.root, lambda line: None, runner=lambda argv, echo, cwd=None: (1, ["", "Error: boom", ""])
    )
    with pytest.raises(OperationFailed, match="sam deploy exited 1: Error: boom"):
        failing.deploy(config, config.template_file)
    with pytest.raises(ConfigError, match="file not found"):
        failing.deploy(config, tmp_path / "missing.yaml")


def test_sams_next_commands_hint_is_filtered_and_the_rest_kept() -> None:
    from bluegreen.sam import HintFilter

    shown: list[str] = []
    echo = HintFilter(shown.append)
    for line in [
        "Build Succeeded",
        "",
        "Commands you can use next",
        "=========================",
        "[*] Validate SAM template: sam validate",
        "[*] Invoke Function: sam local invoke",
        "[*] Deploy: sam deploy --guided",
        "",
        "Successfully created/updated stack",
    ]:
        echo(line)
    assert shown == ["Build Succeeded", "", "Successfully created/updated stack"]
    assert not any("sam local" in line for line in shown)
