"""Bytecode compiled into a built function: unchecked-hash, paths under /var/task, for its runtime only,
for the modules its handler reaches."""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from bluegreen.bytecode import compile_build, this_runtime


def built(tmp_path: Path, runtime: str) -> Path:
    build = tmp_path / "build"
    (build / "BlueFunction" / "petstore").mkdir(parents=True)
    (build / "template.yaml").write_text(
        "Resources:\n  BlueFunction:\n    Properties:\n"
        f"      Runtime: {runtime}\n      Handler: app.handler\n"
    )
    (build / "BlueFunction" / "app.py").write_text(
        "from petstore import models\n\n\ndef handler(event, context):\n    return 1\n"
    )
    (build / "BlueFunction" / "petstore" / "__init__.py").write_text("")
    (build / "BlueFunction" / "petstore" / "models.py").write_text("X = 1\n")
    return build


def test_each_module_gets_unchecked_hash_bytecode_naming_the_task_root(tmp_path: Path) -> None:
    build = built(tmp_path, this_runtime())

    said = compile_build(build)

    tag = f"cpython-{this_runtime().removeprefix('python').replace('.', '')}"
    pyc = build / "BlueFunction" / "__pycache__" / f"app.{tag}.pyc"
    assert said == f"bytecode compiled for BlueFunction ({this_runtime()})"
    assert (build / "BlueFunction" / "petstore" / "__pycache__" / f"models.{tag}.pyc").is_file()
    data = pyc.read_bytes()
    assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, source never checked (PEP 552)
    assert marshal.loads(data[16:]).co_filename == "/var/task/app.py"


def test_a_module_that_does_not_compile_is_left_as_source(tmp_path: Path) -> None:
    build = built(tmp_path, this_runtime())
    (build / "BlueFunction" / "legacy.py").write_text("print 'python 2'\n")
    # (a handler the template does not name: every module is compiled)
    (build / "BlueFunction" / "app.py").rename(build / "BlueFunction" / "main.py")

    said = compile_build(build)

    assert said.endswith("some modules do not compile and were left as sources")
    assert (build / "BlueFunction" / "legacy.py").is_file()


def test_another_runtime_gets_no_bytecode(tmp_path: Path) -> None:
    build = built(tmp_path, "python3.9")

    said = compile_build(build)

    assert said.startswith("bytecode not compiled: the functions' runtime (python3.9) is not this Python")
    assert not (build / "BlueFunction" / "__pycache__").exists()


def test_bytecode_of_a_previous_build_never_stands_in_for_a_changed_source(tmp_path: Path) -> None:
    # GIVEN a build compiled once, then its source changed by the next build
    build = built(tmp_path, this_runtime())
    compile_build(build)
    app = build / "BlueFunction" / "app.py"
    app.write_text("from petstore import models\n\n\ndef handler(event, context):\n    return 2\n")
    stale = build / "BlueFunction" / "__pycache__" / "gone.cpython-313.pyc"
    stale.write_bytes(b"left over")

    # WHEN compiled again
    compile_build(build)

    # THEN the bytecode is the new source's, and nothing of the old build is left
    pyc = next((build / "BlueFunction" / "__pycache__").glob("app.*.pyc"))
    handler = next(
        const for const in marshal.loads(pyc.read_bytes()[16:]).co_consts if hasattr(const, "co_consts")
    )
    assert 2 in handler.co_consts
    assert not stale.exists()


def test_a_build_without_python_functions_says_so(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "template.yaml").write_text("Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n")

    assert compile_build(build) == "no Python function in the build: no bytecode to compile"


def pyc_of(source: Path) -> Path | None:
    return next((source.parent / "__pycache__").glob(f"{source.stem}.*.pyc"), None)


def test_only_modules_the_handler_reaches_get_bytecode_and_the_others_still_import(tmp_path: Path) -> None:
    # GIVEN a function whose handler imports a library at load and another inside a function, and a
    # library module nothing imports
    build = built(tmp_path, this_runtime())
    function = build / "BlueFunction"
    (function / "lib").mkdir()
    (function / "lib" / "__init__.py").write_text("from lib import used\n")
    (function / "lib" / "used.py").write_text("VALUE = 'used'\n")
    (function / "lib" / "on_request.py").write_text("VALUE = 'on request'\n")
    (function / "lib" / "unused.py").write_text("VALUE = 'unused'\n")
    (function / "app.py").write_text(
        "import lib\n\n\ndef handler(event, context):\n"
        "    from lib import on_request\n    return on_request.VALUE\n"
    )

    # WHEN the build is compiled
    compile_build(build)

    # THEN what the handler reaches has bytecode, the module nothing imports has none
    for reached in ("app.py", "lib/__init__.py", "lib/used.py", "lib/on_request.py"):
        assert pyc_of(function / reached) is not None, reached
    assert pyc_of(function / "lib" / "unused.py") is None
    # AND the module without bytecode still imports from its source, in a process that cannot write any
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-B",
            "-c",
            "import sys; sys.path.insert(0, ''); import lib.unused, app; "
            "print(lib.unused.VALUE, app.handler(None, None))",
        ],
        cwd=function,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["unused", "on", "request"]


def test_a_package_never_imported_for_itself_gets_no_bytecode_even_when_an_import_names_it(
    tmp_path: Path,
) -> None:
    # GIVEN a library that imports pydantic's v1 API inside a function (for a v1 model only)
    build = built(tmp_path, this_runtime())
    function = build / "BlueFunction"
    (function / "pydantic" / "v1").mkdir(parents=True)
    (function / "pydantic" / "__init__.py").write_text("def legacy():\n    from pydantic.v1 import main\n")
    (function / "pydantic" / "v1" / "__init__.py").write_text("")
    (function / "pydantic" / "v1" / "main.py").write_text("X = 1\n")
    (function / "app.py").write_text("import pydantic\n")

    compile_build(build)

    assert pyc_of(function / "pydantic" / "__init__.py") is not None
    assert pyc_of(function / "pydantic" / "v1" / "main.py") is None


def test_a_function_whose_handler_is_not_found_gets_bytecode_for_every_module(tmp_path: Path) -> None:
    build = built(tmp_path, this_runtime())
    (build / "BlueFunction" / "app.py").rename(build / "BlueFunction" / "main.py")

    compile_build(build)

    assert pyc_of(build / "BlueFunction" / "main.py") is not None
    assert pyc_of(build / "BlueFunction" / "petstore" / "models.py") is not None


def test_a_build_named_relative_to_the_checkout_compiles_as_an_absolute_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN `make build`'s relative build folder and a function whose handler is not found (every module)
    build = built(tmp_path, this_runtime())
    (build / "BlueFunction" / "app.py").rename(build / "BlueFunction" / "main.py")
    monkeypatch.chdir(tmp_path)

    compile_build(build.relative_to(tmp_path))

    assert pyc_of(build / "BlueFunction" / "main.py") is not None
    assert pyc_of(build / "BlueFunction" / "petstore" / "models.py") is not None


def test_a_function_the_analysis_cannot_read_gets_bytecode_for_every_module(tmp_path: Path) -> None:
    # GIVEN a handler importing a namespace package (no __init__.py), which modulefinder cannot follow
    build = built(tmp_path, this_runtime())
    (build / "BlueFunction" / "petstore" / "__init__.py").unlink()
    (build / "BlueFunction" / "unused.py").write_text("X = 1\n")

    compile_build(build)

    assert pyc_of(build / "BlueFunction" / "petstore" / "models.py") is not None
    assert pyc_of(build / "BlueFunction" / "unused.py") is not None


# A stand-in for the pet store's keeper: records how the build ran it, or fails when told to.
_KEEPER = """import json, os, sys

def keep_generated_code():
    if os.path.exists(os.path.join(os.path.dirname(__file__), "fail")):
        raise RuntimeError("cannot keep")
    how = {"bytecode written": not sys.dont_write_bytecode, "isolated": bool(sys.flags.isolated)}
    with open(os.path.join(os.path.dirname(__file__), "kept.json"), "w") as file:
        json.dump(how, file)
"""


def with_keeper(build: Path) -> Path:
    package = build / "BlueFunction" / "petstore"
    (package / "cold_start.py").write_text(_KEEPER)
    return package


def test_a_function_that_keeps_its_generated_code_has_it_kept_in_the_build(tmp_path: Path) -> None:
    # GIVEN a function whose bundle has the generated-code keeper
    build = built(tmp_path, this_runtime())
    package = with_keeper(build)

    # WHEN the build is compiled
    said = compile_build(build)

    # THEN the keeper ran once, isolated and with bytecode writing off (it writes its own file)
    assert said == f"bytecode compiled for BlueFunction ({this_runtime()})"
    assert json.loads((package / "kept.json").read_text()) == {"bytecode written": False, "isolated": True}


def test_a_keeper_that_fails_is_named_and_leaves_the_bytecode(tmp_path: Path) -> None:
    # GIVEN a function whose keeper fails
    build = built(tmp_path, this_runtime())
    package = with_keeper(build)
    (package / "fail").write_text("")

    # WHEN the build is compiled
    said = compile_build(build)

    # THEN the line says so, and the bytecode is there all the same
    assert said.endswith("; the code the import generates could not be kept for BlueFunction")
    assert list((package / "__pycache__").glob("models.*.pyc"))
