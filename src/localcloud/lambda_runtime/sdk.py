"""The AWS SDK for Python that Lambda's python3.13 runtime provides: boto3 and what it needs, nothing more.

A function need not bundle boto3: the runtime has it on sys.path after the task root. Locally the
packages installed beside the local cloud are linked into one directory that holds only boto3's
dependency closure, so a function that forgets to bundle anything else still fails to import, as on AWS.
Doc: https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

SDK_DISTRIBUTION = "boto3"
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_lock = threading.Lock()


def _closure(root: str) -> list[metadata.Distribution]:
    """The distribution and everything it requires (extras left out), each once."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement that is not installed
        seen[key] = distribution
        for requirement in distribution.requires or []:
            match = _REQUIREMENT_NAME.match(requirement)
            if match and "extra ==" not in requirement:
                pending.append(match.group(1))
    return list(seen.values())


def _top_level_entries(distribution: metadata.Distribution) -> set[str]:
    """Top-level packages, modules and the .dist-info folder of an installed distribution."""
    entries: set[str] = set()
    for file in distribution.files or []:
        first = file.parts[0]
        if first in ("..", "__pycache__") or first.endswith(".data"):
            continue
        if len(file.parts) == 1 and not first.endswith(".py"):
            continue
        entries.add(first)
    return entries


def sdk_directory(parent: Path) -> Path | None:
    """A directory of links to boto3's closure under `parent` (made once), or None without boto3."""
    try:
        version = metadata.version(SDK_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    target = parent / f".python-sdk-{SDK_DISTRIBUTION}-{version}"
    if target.is_dir():
        return target
    with _lock:
        if target.is_dir():
            return target
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".python-sdk-", dir=parent))
        try:
            for distribution in _closure(SDK_DISTRIBUTION):
                for entry in _top_level_entries(distribution):
                    source = Path(str(distribution.locate_file(entry)))
                    if source.exists():
                        os.symlink(source, staging / entry)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target
