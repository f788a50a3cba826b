"""What a switch prints agrees with what happened: before -> after, phase verdicts, timings, the prompt."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bluegreen.aws import Aws
from bluegreen.errors import OperationFailed
from bluegreen.switch import SwitchOptions
from tests.unit.bluegreen.fakes import FakeClock, FakeCloud, make_switcher
from tests.unit.bluegreen.test_cli import run_cli
from tests.unit.bluegreen.world import World, build_world


@pytest.fixture(name="world")
def world_fixture(moto: None, tmp_path: Path, clock: FakeClock) -> World:
    return build_world(tmp_path, clock)


def test_dry_run_prints_each_changed_parameter_before_and_after(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    blue, green = world.apis["blue"], world.apis["green"]
    code, out, err = run_cli(world, ["switch", "green", "--dry-run"], capsys)
    assert code == 0, err
    assert f"  parameter ActiveApiId: {blue} -> {green}" in out
    assert "ActiveApiStage" not in out  # both colors use the same stage name: unchanged, not shown
    assert re.search(r"^  Modify \S+ \(AWS::", out, re.MULTILINE), out


def test_a_prompt_without_a_terminal_is_recorded_as_such(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN no terminal on stdin and no --yes
    monkeypatch.setattr("sys.stdin", io.StringIO())
    # WHEN a switch runs
    code, _, err = run_cli(world, ["switch", "green"], capsys)
    # THEN it is cancelled, saying why and what to pass, and the record says the same
    assert code == 1 and "no terminal" in err and "--yes" in err
    code, out, _ = run_cli(world, ["history", "--json"], capsys)
    [record] = json.loads(out)
    assert record["state"] == "CANCELLED" and "no terminal" in record["reason"]
    assert "declined" not in record["reason"]


def phase_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("== ", "-- ", "FAILED:"))]


def test_a_failed_bake_ends_its_phase_failed_before_the_rollback(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.alarm_states["green-5xx"] = "ALARM"
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=10, bake_interval=5, assume_yes=True
    )
    lines: list[str] = []
    with pytest.raises(OperationFailed):
        make_switcher(cloud, aws, table, clock, lines=lines).switch("green", options)
    phases = phase_lines(lines)
    assert not any(line.startswith("-- bake done") for line in phases)
    bake_end = next(i for i, line in enumerate(phases) if line.startswith("-- bake FAILED"))
    assert phases[bake_end + 1].startswith("FAILED: ")


def test_verification_time_agrees_with_the_verify_phase(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN a switch whose first live rounds still reach blue
    cloud = FakeCloud()
    cloud.propagation_probes = 4
    lines: list[str] = []
    options = SwitchOptions(
        consecutive=3, fail_after=3, verify_timeout=10, verify_interval=0.5, assume_yes=True
    )
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", options)
    # THEN the summary, the phase line and the final message give the same verify time
    phase = next(line for line in lines if line.startswith("-- verify done in "))
    took = phase.removeprefix("-- verify done in ")
    summary = next(line for line in lines if line.startswith("verified green on the live hostname"))
    assert f"in {took}," in summary and "converged 2.00s after the change" in summary
    assert result.message.endswith(f"verified in {took}")
