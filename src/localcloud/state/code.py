"""Unzipped function code under <state>/code: only the code of functions that still exist is kept."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def live_code_dirs(lambda_backends: Any) -> set[str]:
    """Directory names (as the runtime's bundle module names them) of every live function version."""
    names: set[str] = set()
    for account in list(dict.values(lambda_backends)):
        for backend in list(dict.values(account)):
            for function in _functions(backend):
                names.add(str(function.code_sha_256).replace("/", "_").replace("+", "-"))
    return names


def _functions(backend: Any) -> Iterable[Any]:
    registry = backend._lambdas
    for name in list(registry._functions):
        entry = registry._functions[name]
        yield entry["latest"]
        yield from entry["versions"]


def prune_code(code_dir: Path, keep: set[str]) -> int:
    """Remove code directories not in `keep` (and interrupted unzips); returns how many went."""
    if not code_dir.is_dir():
        return 0
    removed = 0
    for entry in code_dir.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def reset_state(state_dir: Path) -> list[str]:
    """Remove the snapshot and unzipped code of a stopped local cloud; the CA is kept (clients trust it)."""
    from localcloud.state.snapshot import SNAPSHOT

    env = state_dir / "env"
    if _running(state_dir):
        raise RuntimeError(f"a local cloud is running on {state_dir} ({env}): stop it first")
    removed = []
    for name in (SNAPSHOT, "code", "logs"):
        path = state_dir / name
        if path.is_dir():
            shutil.rmtree(path)
            removed.append(name)
        elif path.exists():
            path.unlink()
            removed.append(name)
    return removed


def _running(state_dir: Path) -> bool:
    """Whether the control plane named in the state dir's env file answers its health check."""
    import urllib.request

    env = state_dir / "env"
    if not env.exists():
        return False
    for line in env.read_text().splitlines():
        if line.startswith("export AWS_ENDPOINT_URL="):
            url = line.split("=", 1)[1] + "/_localcloud/health"
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    return bool(answer.status == 200)
            except OSError:
                return False
    return False
