"""The blue/green flow against the local cloud, with steady load on the live hostname.

Each test is what a release looks like to users: zero failed requests, and no old-color answer
once the switch has completed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from localcloud.flow import DOMAIN_STACK, LIVE_URL, Commands, stack_update_window
from localcloud.zero_downtime import LiveLoad, Report, Switch, analyse

pytestmark = pytest.mark.e2e


def _switch_under_load(commands: Commands, steps: list[tuple[str, str, list[str], int]]) -> Report:
    """Run each (previous, target, command, expected exit) while 4 clients load the live hostname."""
    switches: list[Switch] = []
    cloud = commands.cloud
    with LiveLoad(f"{LIVE_URL}/health", 4, cloud.data_address, str(cloud.ca_bundle)) as load:
        time.sleep(0.5)
        for previous, target, command, expected_exit in steps:
            started = time.time()
            result = commands.run(*command, check=False)
            assert result.returncode == expected_exit, result.stdout + result.stderr
            executed, completed = stack_update_window(commands.cloud, DOMAIN_STACK, started)
            switches.append(Switch(previous, target, started, executed, completed))
        time.sleep(0.5)
    return analyse(load.samples, switches)


@contextmanager
def _alarm_held(commands: Commands, alarm: str) -> Iterator[None]:
    """Keep `alarm` in ALARM (set-alarm-state, as a fault injection) until the block ends."""
    env = commands.cloud.env()
    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=commands.cloud.endpoint_url,
        region_name=commands.cloud.region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )

    def set_state(value: str, reason: str) -> None:
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue=value, StateReason=reason)

    stop = threading.Event()

    def hold() -> None:
        while not stop.wait(0.5):
            set_state("ALARM", "fault injected by the end-to-end test")

    set_state("ALARM", "fault injected by the end-to-end test")
    holder = threading.Thread(target=hold, name="alarm-holder", daemon=True)
    holder.start()
    try:
        yield
    finally:
        stop.set()
        holder.join()
        set_state("OK", "fault removed")


def test_idle_color_is_smoke_tested_on_its_own_url_while_live_stays_blue(live_on_blue: Commands) -> None:
    result = live_on_blue.run("bluegreen", "smoke", "green", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert live_on_blue.live() == ("blue", "v1.0.0")


def test_switch_and_manual_rollback_lose_no_request(live_on_blue: Commands) -> None:
    report = _switch_under_load(
        live_on_blue,
        [
            ("blue", "green", ["bluegreen", "switch", "green", "--yes"], 0),
            ("green", "blue", ["bluegreen", "rollback", "--yes"], 0),
        ],
    )
    assert report.requests > 50
    assert report.failures == 0
    assert report.stale_after_completion == 0
    assert live_on_blue.live() == ("blue", "v1.0.0")


def test_failed_bake_rolls_back_by_itself_without_losing_a_request(live_on_blue: Commands) -> None:
    # GIVEN green's 5XX alarm is held in ALARM while green takes traffic. The local cloud evaluates
    # alarms like CloudWatch, so a state set by hand lasts only until the next evaluation: it is
    # set again every half second for as long as the switch runs.
    alarm = "petstore-green-api-5xx"
    with _alarm_held(live_on_blue, alarm):
        # WHEN a switch to green bakes on its alarms THEN it fails, rolls back and reports it
        report = _switch_under_load(
            live_on_blue,
            [
                ("blue", "green", ["bluegreen", "switch", "green", "--yes", "--bake", "2"], 1),
            ],
        )
    # Blue answering again after the automatic rollback is the point, so only failures count here.
    assert report.failures == 0
    assert live_on_blue.live() == ("blue", "v1.0.0")
    history = json.loads(live_on_blue.run("bluegreen", "--json", "history", "--limit", "1").stdout)
    assert history, "the failed switch is on record"
    assert "alarm" in json.dumps(history[0]).lower()


def test_switching_to_the_live_color_is_a_no_op(live_on_blue: Commands) -> None:
    result = live_on_blue.run("bluegreen", "switch", "blue", "--yes", check=False)
    assert result.returncode == 0
    assert live_on_blue.live() == ("blue", "v1.0.0")


def test_the_live_color_cannot_be_decommissioned(live_on_blue: Commands) -> None:
    result = live_on_blue.run("bluegreen", "decommission", "blue", "--yes", "--force", check=False)
    assert result.returncode != 0
    assert "live" in (result.stderr + result.stdout).lower()
    assert live_on_blue.live() == ("blue", "v1.0.0")


def test_status_reports_blue_live_without_drift(live_on_blue: Commands) -> None:
    result = live_on_blue.run("bluegreen", "--json", "status", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert status["live"]["color"] == "blue"
    assert status["live"]["drifted"] is False
    assert status["live"]["healthy"] is True
    assert {c["color"]: c["healthy"] for c in status["colors"]} == {"blue": True, "green": True}
    assert status["ok"] is True
