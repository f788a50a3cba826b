"""Runs the SAM CLI: absolute paths always (SAM resolves a relative --config-file against the template).

Builds are cached (`sam build --cached`, and skipped when the unit's build record says nothing changed);
SAM's output reaches the operator filtered: one line per uploaded artifact instead of its redraws.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from bluegreen.bytecode import compile_build
from bluegreen.config import DeployConfig
from bluegreen.deploy_records import BuildRecord, build_inputs_digest, code_folders, content_digest, workspace
from bluegreen.errors import ConfigError, OperationFailed

NO_CHANGES = "No changes to deploy"
# How often sam deploy polls the change set and the stack events: SAM's default is 5 s, which a deploy
# then waits for at least once even when CloudFormation answered in 100 ms. The environment overrides it
# (raise it if CloudFormation throttles the account).
POLL_DELAY_SECONDS = "1"


class Runner(Protocol):
    """Runs argv in `cwd`, streaming output lines to `echo`; returns (exit code, output lines)."""

    def __call__(
        self, argv: Sequence[str], echo: Callable[[str], None], cwd: Path | None = None
    ) -> tuple[int, list[str]]: ...


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
    env.setdefault("SAM_CLI_POLL_DELAY", POLL_DELAY_SECONDS)
    return env


def run_streaming(
    argv: Sequence[str], echo: Callable[[str], None], cwd: Path | None = None
) -> tuple[int, list[str]]:
    """Text mode reads a carriage return as a line end: each in-place redraw arrives as its own line."""
    lines: list[str] = []
    with subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=sam_environment(),
        cwd=cwd,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            stripped = line.rstrip("\n")
            lines.append(stripped)
            echo(stripped)
    return proc.returncode, lines


def build_dir(config: DeployConfig, project_root: Path) -> Path:
    return workspace(project_root, config.unit) / "build"


def build_argv(sam: str, config: DeployConfig, project_root: Path) -> list[str]:
    """Run in the unit's workspace: SAM keeps its dependency folders under the working directory."""
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
        "--cached",
        "--cache-dir",
        str(workspace(project_root, config.unit) / "cache"),
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


_UPLOAD_PROGRESS = re.compile(
    r"^\s*Uploading to (?P<key>\S+)\s+(?P<done>\d+) / (?P<total>\d+)\s+\((?P<percent>[\d.]+)%\)\s*$"
)


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count / 1000:.1f} kB"


class UploadProgressFilter:
    """SAM redraws each artifact's upload progress in place, one redraw per 256 KiB chunk. Keeps one line per
    artifact, shown when its upload completes; an upload cut short shows its last progress line as SAM
    printed it, before whatever interrupted it (the error, usually). Other lines pass unchanged."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._echo = echo
        self._unfinished: tuple[str, str] | None = None  # (artifact key, its last progress line)

    def __call__(self, line: str) -> None:
        progress = _UPLOAD_PROGRESS.match(line)
        if progress is None:
            self.close()
            self._echo(line)
            return
        if self._unfinished is not None and self._unfinished[0] != progress["key"]:
            self.close()
        if progress["done"] == progress["total"]:
            self._unfinished = None
            self._echo(f"\tUploaded {progress['key']} ({_size(int(progress['total']))})")
        else:
            self._unfinished = (progress["key"], line)

    def close(self) -> None:
        """Shows an upload that never completed: SAM stopped, or printed something in the middle of it."""
        if self._unfinished is not None:
            self._echo(self._unfinished[1])
            self._unfinished = None


class BlankLineFilter:
    """SAM separates its sections with up to four empty lines (more once redraws read as lines): keep one."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._echo = echo
        self._after_text = False

    def __call__(self, line: str) -> None:
        blank = not line.strip()
        if blank and not self._after_text:
            return
        self._after_text = not blank
        self._echo(line)


class SamOutput:
    """What the operator sees of SAM's output: hints dropped, upload redraws folded, blank runs squeezed."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._uploads = UploadProgressFilter(BlankLineFilter(echo))
        self._chain = HintFilter(self._uploads)

    def __call__(self, line: str) -> None:
        self._chain(line)

    def close(self) -> None:
        self._uploads.close()


def manifests_digest(template: Path) -> str:
    """The requirements files SAM resolves dependencies from: when they change, the build resolves again."""
    return content_digest(
        folder / "requirements.txt"
        for folder in code_folders(template)
        if (folder / "requirements.txt").is_file()
    )


class Sam:
    def __init__(
        self, project_root: Path, echo: Callable[[str], None], runner: Runner = run_streaming
    ) -> None:
        self._root = project_root
        self._echo = echo
        self._runner = runner

    def build(self, config: DeployConfig, reuse: bool = True) -> Path:
        """Builds into the unit's workspace and returns the built template to deploy. When `reuse` and the
        template, sources and requirements hash as at the last build, that build is returned as it is."""
        template = build_dir(config, self._root) / "template.yaml"
        record = BuildRecord(workspace(self._root, config.unit))
        inputs = build_inputs_digest(config.template_file)
        manifests = manifests_digest(config.template_file)
        if reuse and record.is_current(inputs):
            self._echo(
                f"sam build {config.unit}: skipped, its template, sources and requirements are unchanged "
                f"since the last build ({template.parent.relative_to(self._root)})"
            )
            return template
        self._echo(f"sam build {config.unit}: {self._build_reason(record, reuse, manifests)}")
        record.forget()  # a build that fails half-way leaves no record that vouches for it
        self._run(build_argv(find_sam(), config, self._root), "sam build", cwd=record.workspace)
        self._echo(f"sam build {config.unit}: {compile_build(template.parent)}")
        record.save(inputs, manifests)
        return template

    @staticmethod
    def _build_reason(record: BuildRecord, reuse: bool, manifests: str) -> str:
        if not record.exists():
            return "no build on record: SAM builds, resolving the dependencies unless its cache holds them"
        if not reuse:
            return "rebuild asked for; SAM reuses what is still valid (--cached)"
        if record.manifests() != manifests:
            return "requirements changed since the last build: SAM resolves the dependencies again"
        return "template or sources changed since the last build: SAM reuses the resolved dependencies"

    def deploy(
        self, config: DeployConfig, template: Path, overrides: Mapping[str, str] | None = None
    ) -> bool:
        """Returns False when SAM found nothing to change."""
        lines = self._run(deploy_argv(find_sam(), config, template, overrides), "sam deploy")
        return not any(NO_CHANGES in line for line in lines)

    def _run(self, argv: list[str], what: str, cwd: Path | None = None) -> list[str]:
        for path in (argv[argv.index("--template-file") + 1], argv[argv.index("--config-file") + 1]):
            if not Path(path).is_file():
                raise ConfigError(f"{what}: file not found: {path}")
        if cwd is not None:
            cwd.mkdir(parents=True, exist_ok=True)
        output = SamOutput(self._echo)
        try:
            code, lines = self._runner(argv, output, cwd=cwd)
        finally:
            output.close()
        if code != 0:
            last = next((line for line in reversed(lines) if line.strip()), "")
            raise OperationFailed(f"{what} exited {code}: {last}")
        return lines
