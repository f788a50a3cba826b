"""Fault injection for the switch: after each fault, live traffic is on a HEALTHY color; history says so."""

from __future__ import annotations

import threading

import pytest

from bluegreen import history as h
from bluegreen.aws import Aws
from bluegreen.errors import ChangeFailed, LockHeld, OperationFailed, Unhealthy
from bluegreen.history import History
from bluegreen.lock import SwitchLock
from bluegreen.switch import SwitchOptions
from tests.unit.bluegreen.fakes import FakeClock, FakeCloud, SimulatedKill, make_switcher

FAST = SwitchOptions(consecutive=3, verify_timeout=10, verify_interval=0.5, assume_yes=True)


def records(aws: Aws, table: str, clock: FakeClock) -> list[h.Record]:
    return History(aws, table, clock).recent()


def test_happy_switch_moves_live_to_green_and_records_phases(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN blue live, green healthy, a mapping change that takes 4 probes to propagate
    cloud = FakeCloud()
    cloud.propagation_probes = 4
    lines: list[str] = []
    # WHEN
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    # THEN green is live, verified, with a measured convergence time
    assert cloud.color_of(cloud.mapping) == "green" and cloud.live_is_healthy()
    assert result.state == h.SUCCEEDED
    assert result.convergence is not None and result.convergence.seconds == pytest.approx(2.0)
    [record] = records(aws, table, clock)
    assert (record.state, record.from_color, record.to_color) == (h.SUCCEEDED, "blue", "green")
    assert (record.from_version, record.to_version) == ("1.0.0", "2.0.0")
    assert set(record.durations) >= {"lock", "preflight", "change", "verify"}
    assert record.convergence_seconds == pytest.approx(2.0)
    assert any(line.startswith("== verify") for line in lines)
    assert SwitchLock(aws, table, "x", clock).peek() is None  # released


def test_unhealthy_target_is_refused_and_nothing_changes(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.healthy["green"] = False
    with pytest.raises(Unhealthy, match=r"refused to switch to green.*nothing changed") as caught:
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert caught.value.exit_code == 1
    assert cloud.plans == [] and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == h.REFUSED and "smoke suite failed" in record.reason
    assert SwitchLock(aws, table, "x", clock).peek() is None


def test_target_failing_during_verification_rolls_back_automatically(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green passes preflight but breaks as soon as it takes live traffic
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"
    with pytest.raises(OperationFailed, match="rolled back to blue, live verified"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    # THEN the same change-set path restored blue, and blue is verified healthy
    assert [p.api_id for p in cloud.executed] == ["api-green", "api-blue"]
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == h.ROLLED_BACK and "verification failed" in record.reason
    assert "rollback" in record.durations


def test_cloudformation_update_failure_leaves_live_unchanged_and_reports(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.fail_update = "Only one base path mapping is allowed if the base path is empty"
    with pytest.raises(ChangeFailed, match="live still on blue"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == h.FAILED and "Only one base path mapping" in record.reason


def test_failed_bake_on_alarm_rolls_back(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.alarm_states["green-5xx"] = "ALARM"
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=60, bake_interval=5, assume_yes=True
    )
    with pytest.raises(OperationFailed, match="green-5xx"):
        make_switcher(cloud, aws, table, clock).switch("green", options)
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    assert records(aws, table, clock)[0].state == h.ROLLED_BACK


def test_bake_passes_when_healthy_for_the_whole_window(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=60, bake_interval=5, assume_yes=True
    )
    started = clock()
    make_switcher(cloud, aws, table, clock).switch("green", options)
    assert clock() - started >= 60
    assert records(aws, table, clock)[0].durations["bake"] == pytest.approx(60)


def test_lock_held_refuses_at_once_naming_the_holder(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    holder = SwitchLock(aws, table, "arn:aws:iam::123456789012:user/bob on ci-7 pid 4242", clock)
    holder.acquire("switch", ttl=600)
    with pytest.raises(LockHeld, match="user/bob on ci-7 pid 4242") as caught:
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert caught.value.exit_code == 1
    assert clock.sleeps == []  # at once: no waiting for the lock
    assert cloud.plans == [] and cloud.live_is_healthy()
    assert records(aws, table, clock)[0].state == h.REFUSED
    assert holder.release()  # the holder's lock was not disturbed


def test_killed_switch_is_reported_and_recovered_by_the_next_run(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a switch killed right after executing its change set (stack still UPDATE_IN_PROGRESS)
    cloud = FakeCloud()
    cloud.kill_after_execute = True
    with pytest.raises(SimulatedKill):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    [dead] = records(aws, table, clock)
    assert dead.state == h.STARTED and dead.phase == "change"
    assert set(dead.durations) == {"lock", "preflight"}  # what it finished before it died
    cloud.kill_after_execute = False

    # WHEN bob runs a switch before the lock expires, he is told who holds it
    with pytest.raises(LockHeld, match="user/alice"):
        make_switcher(cloud, aws, table, clock, who="arn:aws:iam::123456789012:user/bob").switch("blue", FAST)

    # AND after it expires, his rollback reports the interrupted switch, recovers, and proceeds
    clock.advance(FAST.ttl() + 1)
    lines: list[str] = []
    bob = make_switcher(cloud, aws, table, clock, who="arn:aws:iam::123456789012:user/bob", lines=lines)
    result = bob.switch("blue", FAST, action="rollback")
    assert any(
        "interrupted switch blue->green by arn:aws:iam::123456789012:user/alice at phase change" in line
        for line in lines
    )
    assert cloud.settled >= 1  # waited for the in-progress stack update before judging
    assert result.state == h.SUCCEEDED and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    by_id = {r.record_id: r for r in records(aws, table, clock)}
    assert by_id[dead.record_id].state == h.INTERRUPTED
    assert "recovered by arn:aws:iam::123456789012:user/bob" in by_id[dead.record_id].reason


def test_two_switches_started_together_exactly_one_proceeds(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    loser_done = threading.Event()
    # The winner holds the lock inside preflight until the loser has been turned away.

    def hold_until_loser_returns() -> None:
        loser_done.wait(timeout=10)

    cloud.smoke_gate = hold_until_loser_returns
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def run(name: str) -> None:
        switcher = make_switcher(cloud, aws, table, clock, who=f"arn:aws:iam::123456789012:user/{name}")
        barrier.wait()
        try:
            outcomes[name] = switcher.switch("green", FAST).state
        except LockHeld as exc:
            outcomes[name] = exc
            loser_done.set()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["LockHeld", "str"]
    assert h.SUCCEEDED in outcomes.values()
    assert len(cloud.executed) == 1 and cloud.color_of(cloud.mapping) == "green" and cloud.live_is_healthy()


def test_dry_run_changes_nothing(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    lines: list[str] = []
    options = SwitchOptions(dry_run=True)
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", options)
    assert result.state == "DRY_RUN"
    assert cloud.executed == [] and cloud.discarded == cloud.plans and len(cloud.plans) == 1
    assert cloud.color_of(cloud.mapping) == "blue"
    assert any("LiveMapping" in line for line in lines)  # the change set was shown
    assert records(aws, table, clock) == []
    assert SwitchLock(aws, table, "x", clock).peek() is None


def test_switching_to_the_live_color_is_a_noop(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("blue", FAST)
    assert result.state == "NOOP" and "already live" in result.message
    assert cloud.plans == []


def test_declined_confirmation_changes_nothing(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    options = SwitchOptions(consecutive=2)
    with pytest.raises(OperationFailed, match="cancelled"):
        make_switcher(cloud, aws, table, clock, confirm=False).switch("green", options)
    assert cloud.executed == [] and cloud.color_of(cloud.mapping) == "blue"
    assert records(aws, table, clock)[0].state == h.CANCELLED


def test_rollback_target_is_the_color_live_before_the_last_successful_switch(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    make_switcher(cloud, aws, table, clock).switch("green", FAST)
    switcher = make_switcher(cloud, aws, table, clock)
    assert switcher.rollback_target(cloud.read()) == "blue"


def test_rollback_works_while_the_live_color_is_unhealthy(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    make_switcher(cloud, aws, table, clock).switch("green", FAST)
    cloud.healthy["green"] = False  # live is broken; only the target (blue) is preflighted
    switcher = make_switcher(cloud, aws, table, clock)
    result = switcher.switch(switcher.rollback_target(cloud.read()), FAST, action="rollback")
    assert result.state == h.SUCCEEDED and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    assert records(aws, table, clock)[0].action == "rollback"


def test_failed_rollback_is_reported_as_failed(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"
    cloud.fail_rollback_update = True
    with pytest.raises(OperationFailed, match="so did the rollback"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert records(aws, table, clock)[0].state == h.FAILED


def test_switch_waits_for_an_update_already_in_progress(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.stack_status = "UPDATE_IN_PROGRESS"  # e.g. a deploy domain still running
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    assert cloud.settled == 1 and any("waiting for it to settle" in line for line in lines)
    assert result.state == h.SUCCEEDED and cloud.color_of(cloud.mapping) == "green"
