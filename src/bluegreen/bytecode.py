"""Bytecode compiled into a Python function's build, so no cold start compiles the bundle.

`sam build` copies sources and unpacks wheels without bytecode, and a function's code folder is read-only
(/var/task): without shipped bytecode every cold start compiles every module it imports. Unchecked-hash
bytecode is used as it is, whatever the files' timestamps (SAM zips them all dated 1980), and a deployed
bundle never changes. Paths inside it name /var/task, where the runtime unpacks the code, so tracebacks
read as on AWS.
Docs: https://docs.python.org/3/library/compileall.html, https://peps.python.org/pep-0552/
"""

from __future__ import annotations

import compileall
import py_compile
import re
import shutil
import sys
from pathlib import Path

TASK_ROOT = "/var/task"
_RUNTIME = re.compile(r"^\s*Runtime\s*:\s*['\"]?(python3\.\d+)", re.M)


def this_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def compile_build(build_dir: Path, workers: int = 0) -> str:
    """Compile each function folder of a built template (`workers` 0: one process per core); returns one
    line saying what was done."""
    runtimes = set(_RUNTIME.findall((build_dir / "template.yaml").read_text(encoding="utf-8")))
    if not runtimes:
        return "no Python function in the build: no bytecode to compile"
    if runtimes != {this_runtime()}:
        found = ", ".join(sorted(runtimes))
        return (
            f"bytecode not compiled: the functions' runtime ({found}) is not this Python ({this_runtime()})"
        )
    folders = sorted(path for path in build_dir.iterdir() if path.is_dir())
    for stale in [cache for folder in folders for cache in folder.rglob("__pycache__")]:
        # Unchecked bytecode is never compared with its source: bytecode a previous build left behind
        # would run in place of a changed source.
        shutil.rmtree(stale)
    every_module = all(
        [
            compileall.compile_dir(
                folder,
                quiet=2,
                stripdir=str(folder),
                prependdir=TASK_ROOT,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                workers=workers,
            )
            for folder in folders
        ]
    )
    # A module that does not compile (a wheel's Python 2 test data, say) is left as it is: importing it
    # fails as it would have without bytecode, and nothing else depends on it.
    left = "" if every_module else "; some modules do not compile and were left as sources"
    return f"bytecode compiled for {', '.join(folder.name for folder in folders)} ({this_runtime()}){left}"


if __name__ == "__main__":  # `make build`: python -m bluegreen.bytecode <build dir>...
    for built in sys.argv[1:]:
        print(f"{built}: {compile_build(Path(built))}")
