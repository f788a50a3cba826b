"""What a unit's last build and last deploy were made from, so a redeploy with nothing changed skips SAM.

- A build is reused while its inputs (the template and every folder its functions' CodeUri names, so the
  sources and requirements.txt) hash as they did when it was built, and the build folder is as SAM left it.
- A deploy is skipped while the stack last received the same build and settings through this checkout and
  nothing has touched the stack since: same StackId, same newest stack event (any create, update or
  rollback adds one), a settled status. Anything else runs the real `sam deploy`, whose change set decides.

Each unit keeps its own SAM workspace under .aws-sam/<unit>/: SAM writes build.toml beside the build folder
and its dependency folders under the working directory, and cleans out what the current template does not
use, so colors sharing one would keep evicting each other's cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bluegreen.aws.cloudformation import StackInfo

# Statuses a deploy of ours leaves behind when it succeeds.
SETTLED_STATUSES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})
# Not part of what SAM packages into the function, or rewritten by every test run.
_IGNORED_NAMES = frozenset({"__pycache__", ".aws-sam", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_IGNORED_SUFFIXES = (".pyc",)
# `CodeUri: ../src/blue/` (or a layer's ContentUri); an S3 URI or a mapping is not a local folder.
_CODE_URI = re.compile(
    r"^\s*(?:CodeUri|ContentUri)\s*:\s*['\"]?(?P<path>[^'\"#\s{}]+)['\"]?\s*(?:#.*)?$", re.M
)


def workspace(project_root: Path, unit: str) -> Path:
    return project_root / ".aws-sam" / unit


def code_folders(template: Path) -> list[Path]:
    """The local folders the template's functions and layers are built from (SAM's default: the template's
    folder when a function names none)."""
    text = template.read_text(encoding="utf-8")
    found = [m["path"] for m in _CODE_URI.finditer(text) if not m["path"].startswith("s3://")]
    if not found and "AWS::Serverless::" in text:
        return [template.parent]
    return sorted({(template.parent / path).resolve() for path in found})


def _files(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(name for name in dirnames if name not in _IGNORED_NAMES)
        for name in sorted(filenames):
            if not name.endswith(_IGNORED_SUFFIXES):
                yield Path(dirpath) / name


def content_digest(paths: Iterable[Path]) -> str:
    """sha256 over each file's path (relative to the folder given) and bytes; a folder: all its files."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"\0root:{path.name}\0".encode())
        for file in [path] if path.is_file() else _files(path):
            relative = file.name if file == path else file.relative_to(path).as_posix()
            digest.update(f"\0file:{relative}\0".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def build_inputs_digest(template: Path) -> str:
    return content_digest([template, *code_folders(template)])


def build_output_stamp(build_dir: Path) -> str:
    """Names, sizes and modification times of what SAM built: cheap, and any rebuild changes it."""
    digest = hashlib.sha256()
    for file in _files(build_dir):
        stat = file.stat()
        digest.update(
            f"{file.relative_to(build_dir).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
        )
    return digest.hexdigest()


def settings_digest(parts: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _read(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write(path: Path, record: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)  # a crash leaves the old record or the new one, never half of one


@dataclass(frozen=True)
class BuildRecord:
    """.aws-sam/<unit>/built.json: the inputs of the build in .aws-sam/<unit>/build."""

    workspace: Path

    @property
    def path(self) -> Path:
        return self.workspace / "built.json"

    @property
    def build_dir(self) -> Path:
        return self.workspace / "build"

    def exists(self) -> bool:
        return bool(_read(self.path))

    def manifests(self) -> str:
        return str(_read(self.path).get("manifests", ""))

    def is_current(self, inputs: str) -> bool:
        record = _read(self.path)
        return (
            record.get("inputs") == inputs
            and (self.build_dir / "template.yaml").is_file()
            and record.get("output") == build_output_stamp(self.build_dir)
        )

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)

    def save(self, inputs: str, manifests: str) -> None:
        _write(
            self.path,
            {"inputs": inputs, "manifests": manifests, "output": build_output_stamp(self.build_dir)},
        )


@dataclass(frozen=True)
class DeployRecord:
    """.aws-sam/<unit>/deployed-<config env>.json: what the stack last received and its newest event then."""

    workspace: Path
    config_env: str

    @property
    def path(self) -> Path:
        return self.workspace / f"deployed-{self.config_env}.json"

    def unchanged(self, settings: str, stack: StackInfo | None, latest_event_id: str | None) -> bool:
        """True only when the stack is exactly as our last successful deploy of these settings left it."""
        record = _read(self.path)
        return (
            stack is not None
            and latest_event_id is not None
            and stack.status in SETTLED_STATUSES
            and record.get("settings") == settings
            and record.get("stack_id") == stack.stack_id
            and record.get("latest_event_id") == latest_event_id
        )

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)

    def save(self, settings: str, stack: StackInfo, latest_event_id: str | None) -> None:
        if stack.status not in SETTLED_STATUSES or latest_event_id is None:
            self.forget()
            return
        _write(
            self.path,
            {
                "settings": settings,
                "stack_name": stack.name,
                "stack_id": stack.stack_id,
                "latest_event_id": latest_event_id,
            },
        )
