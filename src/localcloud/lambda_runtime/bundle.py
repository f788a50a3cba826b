"""The deployed artifact on disk: each code version is unzipped once, keyed by its CodeSha256."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

_lock = threading.Lock()


def _safe_extract(archive: zipfile.ZipFile, target: Path) -> None:
    root = target.resolve()
    for member in archive.infolist():
        destination = (target / member.filename).resolve()
        # A zip entry must never land outside the bundle directory (zip slip).
        if destination != root and root not in destination.parents:
            raise ValueError(f"unsafe path in deployment package: {member.filename}")
        archive.extract(member, target)
        mode = member.external_attr >> 16
        if mode and not member.is_dir():
            os.chmod(destination, mode & 0o755 | 0o444)


def unpacked(code_dir: Path, code_sha256: str, zip_bytes: bytes) -> Path:
    """The directory holding this code version, extracting it on first use (atomically)."""
    target = code_dir / code_sha256.replace("/", "_").replace("+", "-")
    if target.is_dir():
        return target
    with _lock:
        if target.is_dir():
            return target
        code_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unzip-", dir=code_dir))
        try:
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
                _safe_extract(archive, staging)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target
