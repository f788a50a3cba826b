"""Bytecode compiled into a built function: unchecked-hash, paths under /var/task, for its runtime only."""

from __future__ import annotations

import marshal
from pathlib import Path

from bluegreen.bytecode import compile_build, this_runtime


def built(tmp_path: Path, runtime: str) -> Path:
    build = tmp_path / "build"
    (build / "BlueFunction" / "petstore").mkdir(parents=True)
    (build / "template.yaml").write_text(
        f"Resources:\n  BlueFunction:\n    Properties:\n      Runtime: {runtime}\n"
    )
    (build / "BlueFunction" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (build / "BlueFunction" / "petstore" / "models.py").write_text("X = 1\n")
    return build


def test_each_module_gets_unchecked_hash_bytecode_naming_the_task_root(tmp_path: Path) -> None:
    build = built(tmp_path, this_runtime())

    said = compile_build(build, workers=1)

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

    said = compile_build(build, workers=1)

    assert said.endswith("some modules do not compile and were left as sources")
    assert (build / "BlueFunction" / "legacy.py").is_file()


def test_another_runtime_gets_no_bytecode(tmp_path: Path) -> None:
    build = built(tmp_path, "python3.9")

    said = compile_build(build, workers=1)

    assert said.startswith("bytecode not compiled: the functions' runtime (python3.9) is not this Python")
    assert not (build / "BlueFunction" / "__pycache__").exists()


def test_bytecode_of_a_previous_build_never_stands_in_for_a_changed_source(tmp_path: Path) -> None:
    # GIVEN a build compiled once, then its source changed by the next build
    build = built(tmp_path, this_runtime())
    compile_build(build, workers=1)
    app = build / "BlueFunction" / "app.py"
    app.write_text("def handler(event, context):\n    return 2\n")
    stale = build / "BlueFunction" / "__pycache__" / "gone.cpython-313.pyc"
    stale.write_bytes(b"left over")

    # WHEN compiled again
    compile_build(build, workers=1)

    # THEN the bytecode is the new source's, and nothing of the old build is left
    pyc = next((build / "BlueFunction" / "__pycache__").glob("app.*.pyc"))
    assert 2 in marshal.loads(pyc.read_bytes()[16:]).co_consts[0].co_consts
    assert not stale.exists()


def test_a_build_without_python_functions_says_so(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (build / "template.yaml").write_text("Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n")

    assert compile_build(build, workers=1) == "no Python function in the build: no bytecode to compile"
