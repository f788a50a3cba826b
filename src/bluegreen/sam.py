"""Runs the SAM CLI: absolute paths always (SAM resolves a relative --config-file against the template)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bluegreen.config import DeployConfig
from bluegreen.errors import ConfigError, OperationFailed

NO_CHANGES = "No changes to deploy"

# Runs argv, streaming output lines to `echo`; returns (exit code, output lines).
Runner = Callable[[Sequence[str], Callable[[str], None]], tuple[int, list[str]]]


def find_sam() -> str:
    """The `sam` next to this interpreter (the project venv) first, then PATH."""
    beside = Path(sys.executable).parent / "sam"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("sam")
    if not found:
        raise ConfigError("the SAM CLI (`sam`) is not installed: pip install aws-sam-cli")
    return found


def sam_environment() -> dict[str, str]:
    """sam build looks for `python3.13` on PATH: put this interpreter's folder (the venv) first."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("SAM_CLI_TELEMETRY", "0")
    return env


def run_streaming(argv: Sequence[str], echo: Callable[[str], None]) -> tuple[int, list[str]]:
    lines: list[str] = []
    with subprocess.Popen(
        list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=sam_environment()
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            stripped = line.rstrip("\n")
            lines.append(stripped)
            echo(stripped)
    return proc.returncode, lines


def build_dir(config: DeployConfig, project_root: Path) -> Path:
    return project_root / ".aws-sam" / f"build-{config.unit}"


def build_argv(sam: str, config: DeployConfig, project_root: Path) -> list[str]:
    return [
        sam,
        "build",
        "--template-file",
        str(config.template_file),
        "--config-file",
        str(config.config_file),
        "--config-env",
        config.config_env,
        "--build-dir",
        str(build_dir(config, project_root)),
    ]


def deploy_argv(
    sam: str, config: DeployConfig, template: Path, overrides: Mapping[str, str] | None = None
) -> list[str]:
    argv = [
        sam,
        "deploy",
        "--template-file",
        str(template),
        "--config-file",
        str(config.config_file),
        "--config-env",
        config.config_env,
        "--no-fail-on-empty-changeset",
        "--no-confirm-changeset",
    ]
    if overrides:
        # Replaces samconfig's parameter_overrides entirely, so callers pass every parameter.
        argv += [
            "--parameter-overrides",
            " ".join(f"{key}={_quoted(value)}" for key, value in overrides.items()),
        ]
    return argv


def _quoted(value: str) -> str:
    """SAM's KEY=VALUE parser splits on spaces; a double-quoted value keeps them."""
    return f'"{value}"' if any(ch.isspace() for ch in value) else value


class HintFilter:
    """Drops SAM's "Commands you can use next" block: it suggests `sam local` (needs Docker) and commands
    bluegreen runs itself. Everything else passes through to `echo` unchanged."""

    HEADING = "Commands you can use next"

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._echo = echo
        self._in_hint = False

    def __call__(self, line: str) -> None:
        text = line.strip()
        if text == self.HEADING:
            self._in_hint = True
            return
        if self._in_hint and (not text or set(text) == {"="} or text.startswith("[*]")):
            return
        self._in_hint = False
        self._echo(line)


class Sam:
    def __init__(
        self, project_root: Path, echo: Callable[[str], None], runner: Runner = run_streaming
    ) -> None:
        self._root = project_root
        self._echo = echo
        self._runner = runner

    def build(self, config: DeployConfig) -> Path:
        """Builds into a per-unit folder and returns the built template to deploy."""
        self._run(build_argv(find_sam(), config, self._root), "sam build")
        return build_dir(config, self._root) / "template.yaml"

    def deploy(
        self, config: DeployConfig, template: Path, overrides: Mapping[str, str] | None = None
    ) -> bool:
        """Returns False when SAM found nothing to change."""
        lines = self._run(deploy_argv(find_sam(), config, template, overrides), "sam deploy")
        return not any(NO_CHANGES in line for line in lines)

    def _run(self, argv: list[str], what: str) -> list[str]:
        for path in (argv[argv.index("--template-file") + 1], argv[argv.index("--config-file") + 1]):
            if not Path(path).is_file():
                raise ConfigError(f"{what}: file not found: {path}")
        code, lines = self._runner(argv, HintFilter(self._echo))
        if code != 0:
            last = next((line for line in reversed(lines) if line.strip()), "")
            raise OperationFailed(f"{what} exited {code}: {last}")
        return lines
