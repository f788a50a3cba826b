"""Output for people: a status table, history in 100 columns, one caller format, no ANSI off a terminal."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from bluegreen.output import caller_name, colour_enabled
from tests.unit.bluegreen.fakes import FakeClock
from tests.unit.bluegreen.test_cli import run_cli
from tests.unit.bluegreen.world import World, build_world

ANSI = re.compile(r"\x1b\[")


@pytest.fixture(name="world")
def world_fixture(moto: None, tmp_path: Path, clock: FakeClock) -> World:
    return build_world(tmp_path, clock)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_enabled(Terminal())
    assert not colour_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_enabled(Terminal())


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:iam::123456789012:user/moto", "moto"),
        ("arn:aws:iam::1:user/ops/carol", "carol"),
        ("arn:aws:sts::123456789012:assumed-role/Deployer/alice", "Deployer/alice"),
        ("arn:aws:iam::123456789012:root", "root"),
        ("someone", "someone"),
    ],
)
def test_one_short_caller_format(arn: str, name: str) -> None:
    assert caller_name(arn) == name


def switch_to_green(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys, domain_follows_stack=True)
    assert code == 0, err
    world.remap("green")


def test_status_shows_live_since_idle_label_preview_lock_and_last_switch(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN green was switched live
    switch_to_green(world, capsys)
    # WHEN status runs off a terminal
    code, out, err = run_cli(world, ["status"], capsys)
    assert code == 0, err
    fields = {line[:8].strip(): line[9:] for line in out.splitlines() if line[:8].strip()}
    # THEN each field an operator looks for is there, without ANSI codes
    assert not ANSI.search(out)
    assert fields["live"].startswith("green 2.0.0, since 20")
    assert fields["idle"] == "blue 1.0.0: rollback target (live before the last switch)"
    assert fields["preview"] == "none"
    assert fields["lock"] == "free"
    assert re.match(r"switch blue->green SUCCEEDED at \S+ by \S+$", fields["last"])
    assert "arn:" not in out
    header = next(line for line in out.splitlines() if line.startswith("color"))
    assert header.split() == ["color", "role", "stack", "version", "health", "alarms", "endpoint"]
    # AND --json carries the same facts
    code, out, _ = run_cli(world, ["status", "--json"], capsys)
    report = json.loads(out)
    assert report["idle"]["color"] == "blue" and report["live"]["since"] and report["preview"] is None


def test_status_on_a_terminal_colours_the_verdicts(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN stdout is a terminal without NO_COLOR
    monkeypatch.setattr("bluegreen.commands.status.colour_enabled", lambda: True)
    # WHEN status runs
    code, out, _ = run_cli(world, ["status"], capsys)
    # THEN the verdicts are coloured and the columns still line up on the visible text
    assert code == 0 and "\x1b[32mhealthy\x1b[0m" in out
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in out.splitlines()]
    rows = [line for line in plain if line.startswith(("blue ", "green "))]
    assert len(rows) == 2 and len({row.index("https://") for row in rows}) == 1


def test_history_fits_100_columns_and_wide_shows_everything(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a few switches with long reasons
    switch_to_green(world, capsys)
    code, _, _ = run_cli(world, ["switch", "green", "--yes", "--dry-run"], capsys)
    world.pet_apis["blue"].faults.add("health-500")
    code, _, _ = run_cli(world, ["switch", "blue", "--yes"], capsys, domain_follows_stack=True)
    assert code == 1
    # WHEN history runs
    code, out, _ = run_cli(world, ["history"], capsys)
    # THEN every line fits 100 columns, callers are short names
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    assert "arn:" not in out and not ANSI.search(out)
    code, wide, _ = run_cli(world, ["history", "--wide"], capsys)
    assert "smoke suite failed" in wide and max(len(line) for line in wide.splitlines()) > 100


def test_make_help_prints_no_ansi_when_not_a_terminal() -> None:
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        ["make", "-s", "-C", str(root), "help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "switch" in done.stdout and not ANSI.search(done.stdout)
