"""`bluegreen deploy` skips SAM when nothing changed, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.bluegreen.fakes import FakeClock
from tests.unit.bluegreen.test_cli import run_cli
from tests.unit.bluegreen.world import World, build_world


@pytest.fixture
def world(moto: None, tmp_path: Path, clock: FakeClock) -> World:
    return build_world(tmp_path, clock)


def sam_commands(world: World) -> list[str]:
    return [call[1] for call in world.sam_calls]


def test_a_redeploy_with_nothing_changed_runs_no_sam_and_says_so(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN green deployed once
    code, _, err = run_cli(world, ["deploy", "green"], capsys)
    assert code == 0, err
    assert sam_commands(world) == ["build", "deploy"]
    # WHEN deployed again with nothing changed
    code, out, err = run_cli(world, ["deploy", "green"], capsys)
    # THEN neither sam build nor sam deploy runs, and the operator reads that nothing changed
    assert code == 0, err
    assert sam_commands(world) == ["build", "deploy"]
    assert "sam build green: skipped" in out and "sam deploy green: skipped" in out
    assert "petstore-green: nothing to change, already up to date" in out


def test_a_stack_operation_since_our_deploy_makes_the_next_one_run_sam_deploy(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(world, ["deploy", "green"], capsys)
    # GIVEN someone updated the stack by another way (console, another checkout, a rollback)
    world.cf.update_stack(
        StackName="petstore-green",
        TemplateBody=json.dumps({"Resources": {"Other": {"Type": "AWS::SNS::Topic"}}}),
    )
    # WHEN deployed again THEN sam deploy runs (its change set decides), the build is still reused
    code, _, err = run_cli(world, ["deploy", "green"], capsys)
    assert code == 0, err
    assert sam_commands(world) == ["build", "deploy", "deploy"]


def test_a_changed_samconfig_redeploys_and_no_cache_runs_both(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(world, ["deploy", "green"], capsys)
    config = world.root / "samconfig" / "green.toml"
    config.write_text(config.read_text().replace('s3_bucket = "artifacts"', 's3_bucket = "other-artifacts"'))
    run_cli(world, ["deploy", "green"], capsys)
    assert sam_commands(world) == ["build", "deploy", "deploy"]
    code, _, err = run_cli(world, ["deploy", "green", "--no-cache"], capsys)
    assert code == 0, err
    assert sam_commands(world) == ["build", "deploy", "deploy", "build", "deploy"]


def test_a_failed_sam_deploy_leaves_nothing_that_skips_the_next_one(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(world, ["deploy", "green"], capsys)
    plain_runner = world.runner

    def failing_deploy(argv: list[str], echo: object, cwd: object = None) -> tuple[int, list[str]]:
        world.sam_calls.append(list(argv))
        return (1, ["Error: Failed to create/update the stack"]) if argv[1] == "deploy" else (0, [])

    world.runner = failing_deploy  # type: ignore[method-assign]
    code, _, err = run_cli(world, ["deploy", "green", "--no-cache"], capsys)
    assert code == 1 and "sam deploy exited 1" in err
    assert sam_commands(world) == ["build", "deploy", "build", "deploy"]
    # WHEN deployed again, the stack untouched by the failed attempt THEN sam deploy runs all the same
    world.runner = plain_runner  # type: ignore[method-assign]
    run_cli(world, ["deploy", "green"], capsys)
    assert sam_commands(world) == ["build", "deploy", "build", "deploy", "deploy"]


def test_the_data_stack_skips_sam_deploy_too_when_nothing_changed(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(world, ["deploy", "data"], capsys)
    code, out, err = run_cli(world, ["deploy", "data"], capsys)
    assert code == 0, err
    assert sam_commands(world) == ["deploy"] and "sam deploy data: skipped" in out
