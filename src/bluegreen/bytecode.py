"""Bytecode compiled into a Python function's build, so no cold start compiles what it imports.

`sam build` copies sources and unpacks wheels without bytecode, and a function's code folder is read-only
(/var/task): without shipped bytecode every cold start compiles every module it imports. Unchecked-hash
bytecode is used as it is, whatever the files' timestamps (SAM zips them all dated 1980), and a deployed
bundle never changes. Paths inside it name /var/task, where the runtime unpacks the code, so tracebacks
read as on AWS.

Only the modules reachable from the function's handler get bytecode: bytecode for every module of
every wheel would grow the artifact by about half for modules the function never imports. Reachable is
read statically (stdlib `modulefinder`: every import statement of each module reached, those inside
functions included), so nothing of the function runs at build time. A module not reached still imports,
compiled in memory when it is first imported.

Generated code: a function may also keep the code its import generates at run time (dataclass methods,
string annotations; the pet store's petstore/cold_start.py, GENERATED_CODE_KEEPER). Its
keep_generated_code() is then run once in the build, with bytecode writing off: it imports the
function's own modules, never its handler, so it needs none of the function's settings.
Docs: https://docs.python.org/3/library/modulefinder.html, https://docs.python.org/3/library/py_compile.html,
https://peps.python.org/pep-0552/
"""

from __future__ import annotations

import modulefinder
import py_compile
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

TASK_ROOT = "/var/task"
_RUNTIME = re.compile(r"^\s*Runtime\s*:\s*['\"]?(python3\.\d+)", re.M)
# `Handler: app.lambda_handler` names the module app; a handler in a package reads pkg/mod.func.
_HANDLER = re.compile(r"^\s*Handler\s*:\s*['\"]?([\w./]+)\.\w+['\"]?\s*$", re.M)
# Packages an import statement reaches that a function never imports for itself: pydantic's v1 API,
# imported only to build a schema for a pydantic.v1 model (a quarter of the reachable source size).
NEVER_COMPILED = ("pydantic.v1",)
# The module whose keep_generated_code() writes, beside its bytecode, the code the import generates.
GENERATED_CODE_KEEPER = "petstore.cold_start"
KEEPING_TIMEOUT_SECONDS = 120


def this_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def compile_build(build_dir: Path) -> str:
    """Compile each function folder of a built template; returns one line saying what was done."""
    template = (build_dir / "template.yaml").read_text(encoding="utf-8")
    runtimes = set(_RUNTIME.findall(template))
    if not runtimes:
        return "no Python function in the build: no bytecode to compile"
    if runtimes != {this_runtime()}:
        found = ", ".join(sorted(runtimes))
        return (
            f"bytecode not compiled: the functions' runtime ({found}) is not this Python ({this_runtime()})"
        )
    handlers = sorted({handler.replace("/", ".") for handler in _HANDLER.findall(template)})
    folders = sorted(path for path in build_dir.iterdir() if path.is_dir())
    done = [(folder, compile_function(folder, handlers)) for folder in folders]
    left = (
        ""
        if all(compiled for _, compiled in done)
        else "; some modules do not compile and were left as sources"
    )
    unkept = [folder.name for folder in folders if keep_generated_code(folder) is False]
    if unkept:
        left += f"; the code the import generates could not be kept for {', '.join(unkept)}"
    return f"bytecode compiled for {', '.join(folder.name for folder, _ in done)} ({this_runtime()}){left}"


def keep_generated_code(folder: Path) -> bool | None:
    """Run the folder's GENERATED_CODE_KEEPER once; None when it has none, False when it failed (its
    cold starts then compile that code, as before: slower, never wrong)."""
    if not _module_file(folder, GENERATED_CODE_KEEPER).is_file():
        return None
    keeper = (
        f"import sys; sys.path.insert(0, {str(folder.resolve())!r}); "
        f"import {GENERATED_CODE_KEEPER} as keeper; keeper.keep_generated_code()"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-B", "-c", keeper],
            capture_output=True,
            timeout=KEEPING_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def compile_function(folder: Path, handler_modules: Iterable[str]) -> bool:
    """Unchecked-hash bytecode for the modules reachable from the handler modules found in folder (for
    every module when none is found there); False when one of them does not compile."""
    folder = folder.resolve()  # `make build` names it relative to the checkout
    for stale in list(folder.rglob("__pycache__")):
        # Unchecked bytecode is never compared with its source: bytecode a previous build left behind
        # would run in place of a changed source.
        shutil.rmtree(stale)
    roots = [name for name in handler_modules if _module_file(folder, name).is_file()]
    try:
        sources = reachable_sources(folder, roots) if roots else sorted(folder.rglob("*.py"))
    except Exception:  # modulefinder cannot read a reached module (a syntax error, a
        # namespace package): every module gets bytecode, as before this analysis existed.
        sources = sorted(folder.rglob("*.py"))
    return all([_compile(folder, source) for source in sources])


def reachable_sources(folder: Path, roots: Iterable[str]) -> list[Path]:
    """The folder's .py files that the root modules import, directly or not (static analysis)."""
    finder = modulefinder.ModuleFinder(path=[str(folder)], excludes=list(NEVER_COMPILED))
    for root in roots:
        finder.import_hook(root)
    folder = folder.resolve()
    found = (getattr(module, "__file__", None) for module in finder.modules.values())
    files = {Path(name).resolve() for name in found if name}
    return sorted(path for path in files if path.suffix == ".py" and path.is_relative_to(folder))


def _module_file(folder: Path, module: str) -> Path:
    return folder.joinpath(*module.split(".")).with_suffix(".py")


def _compile(folder: Path, source: Path) -> bool:
    relative = source.relative_to(folder).as_posix()
    try:
        py_compile.compile(
            str(source),
            dfile=f"{TASK_ROOT}/{relative}",
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError:
        # A module that does not compile (a wheel's Python 2 test data, say) is left as it is: importing
        # it fails as it would have without bytecode.
        return False
    return True


if __name__ == "__main__":  # `make build`: python -m bluegreen.bytecode <build dir>...
    for built in sys.argv[1:]:
        print(f"{built}: {compile_build(Path(built))}")
