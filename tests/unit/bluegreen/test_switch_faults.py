"""Fault injection for the switch: after each fault, live traffic is on a HEALTHY color; history says so."""

from __future__ import annotations

import threading

import pytest

from bluegreen.aws import Aws
from bluegreen.errors import ChangeFailed, LockHeld, LockLost, OperationFailed, Unhealthy, UsageError
from bluegreen.history import History, Record
from bluegreen.lock import Lease
from bluegreen.states import Action, Outcome
from bluegreen.switch import SwitchOptions
from tests.unit.bluegreen.fakes import FakeClock, FakeCloud, Processes, SimulatedKill, make_switcher

FAST = SwitchOptions(consecutive=3, fail_after=3, verify_timeout=10, verify_interval=0.5, assume_yes=True)
ALICE = "arn:aws:iam::123456789012:user/alice"
BOB = "arn:aws:iam::123456789012:user/bob"


def records(aws: Aws, table: str, clock: FakeClock) -> list[Record]:
    return History(aws, table, clock).recent()


def lock_of(aws: Aws, table: str, clock: FakeClock) -> object:
    return Lease(aws, table, "x", clock).peek()


def test_happy_switch_moves_live_to_green_and_records_phases(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN blue live, green healthy, a mapping change that takes 4 rounds to reach the live hostname
    cloud = FakeCloud()
    cloud.propagation_probes = 4
    lines: list[str] = []
    # WHEN
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    # THEN green is live, verified by K passing smoke rounds on the live hostname
    assert cloud.color_of(cloud.mapping) == "green" and cloud.live_is_healthy()
    assert result.state == Outcome.SUCCEEDED
    assert result.verification is not None and result.verification.seconds == pytest.approx(2.0)
    [record] = records(aws, table, clock)
    assert (record.state, record.from_color, record.to_color) == (Outcome.SUCCEEDED, "blue", "green")
    assert (record.from_version, record.to_version) == ("1.0.0", "2.0.0")
    assert set(record.durations) >= {"lock", "preflight", "change", "verify"}
    assert record.convergence_seconds == pytest.approx(2.0)
    verify = record.measurements["verify"]
    assert (verify["rounds"], verify["passed_rounds"], verify["other_color_rounds"]) == (7, 3, 4)
    assert verify["requests"] == 14  # the whole suite each round, not a health probe
    assert ("live", "green") in cloud.smoke_rounds
    assert any("verify round 7: pass; 3/3 consecutive passes" in line for line in lines)
    assert lock_of(aws, table, clock) is None  # released


def test_unhealthy_target_is_refused_at_once_and_nothing_changes(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.healthy["green"] = False
    with pytest.raises(Unhealthy, match=r"refused to switch to green.*nothing changed") as caught:
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert caught.value.exit_code == 1
    assert cloud.smoke_rounds == [("own", "green")]  # a definite wrong answer: no retry
    assert cloud.plans == [] and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == Outcome.REFUSED and "smoke suite failed" in record.reason
    assert lock_of(aws, table, clock) is None


def test_a_cold_target_that_times_out_at_first_is_retried_not_refused(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green's first two smoke rounds on its own URL get no answer in time (cold start)
    cloud = FakeCloud()
    cloud.silent_rounds = 2
    # WHEN / THEN the preflight retries within its deadline and the switch succeeds
    result = make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert result.state == Outcome.SUCCEEDED
    assert cloud.smoke_rounds[:3] == [("own", "green")] * 3


def test_a_target_that_never_answers_is_refused_at_the_preflight_deadline(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.silent_rounds = 1000
    started = clock()
    with pytest.raises(Unhealthy, match="refused"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert clock() - started == pytest.approx(FAST.preflight_timeout, abs=1.0)
    assert cloud.plans == []


def test_target_failing_on_the_live_hostname_fails_fast_and_rolls_back(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green passes preflight but fails as soon as it takes live traffic
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"
    with pytest.raises(OperationFailed, match="rolled back to blue, live verified"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    # THEN F failed rounds end verification (not the whole timeout) and the same change-set path restores blue
    assert [p.api_id for p in cloud.executed] == ["api-green", "api-blue"]
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert (
        record.state == Outcome.ROLLED_BACK and "gave up after 3 consecutive failed rounds" in record.reason
    )
    assert record.measurements["verify"]["rounds"] == 3
    assert record.measurements["verify_previous"]["converged"] is True
    # From the first failed live round to live verified back on blue, within the 10 s target.
    assert record.measurements["recovery_seconds"] <= 10


def test_color_broken_only_behind_the_custom_domain_is_refused_before_any_user_sees_it(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green's POST /orders fails only on the live hostname (its own URL passes the whole suite)
    cloud = FakeCloud()
    cloud.broken_behind_domain.add("green")
    lines: list[str] = []
    # WHEN
    with pytest.raises(
        Unhealthy, match="refused to switch to green: smoke suite failed on the live hostname"
    ):
        make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    # THEN the preview smoke caught it: nothing flipped, the preview is cleared, the record says why
    assert cloud.smoke_rounds == [("own", "green"), ("preview", "green")]
    assert cloud.executed == [] and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    assert cloud.preview_history == ["green", ""] and not cloud.preview_rule.active
    assert cloud.data_gates == []  # refused before the data gate
    [record] = records(aws, table, clock)
    assert record.state == Outcome.REFUSED and "behind the preview rule: order" in record.reason
    assert record.measurements["preview"]["passed"] is False
    assert record.measurements["preview"]["cleared"] is True
    assert lock_of(aws, table, clock) is None


def test_cloudformation_update_failure_leaves_live_unchanged_and_reports(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.fail_update = "Only one base path mapping is allowed if the base path is empty"
    with pytest.raises(ChangeFailed, match="live still on blue"):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == Outcome.FAILED and "Only one base path mapping" in record.reason


def test_failed_bake_on_alarm_rolls_back_with_the_alarm_states_on_record(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.alarm_states["green-5xx"] = "ALARM"
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=60, bake_interval=5, assume_yes=True
    )
    with pytest.raises(OperationFailed, match="green-5xx"):
        make_switcher(cloud, aws, table, clock).switch("green", options)
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    [record] = records(aws, table, clock)
    assert record.state == Outcome.ROLLED_BACK
    assert record.measurements["bake"]["alarm_states"] == {"green-5xx": "ALARM"}


def test_bake_repeats_the_live_smoke_and_rolls_back_when_it_starts_failing(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green verifies, then its orders start failing behind the domain during the bake
    cloud = FakeCloud()
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=60, bake_interval=5, assume_yes=True
    )
    rounds = {"live green": 0}

    def break_after_verify() -> None:
        if cloud.color_of(cloud.mapping) == "green":
            rounds["live green"] += 1
            if rounds["live green"] > 3:
                cloud.broken_behind_domain.add("green")

    cloud.smoke_gate = break_after_verify
    with pytest.raises(OperationFailed, match="consecutive failed live smoke rounds"):
        make_switcher(cloud, aws, table, clock).switch("green", options)
    assert cloud.color_of(cloud.mapping) == "blue"


def test_bake_passes_when_healthy_for_the_whole_window_and_reports_progress(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    options = SwitchOptions(
        consecutive=2, verify_timeout=10, bake_seconds=60, bake_interval=5, assume_yes=True
    )
    lines: list[str] = []
    started = clock()
    make_switcher(cloud, aws, table, clock, lines=lines).switch("green", options)
    assert clock() - started >= 60
    [record] = records(aws, table, clock)
    assert record.durations["bake"] == pytest.approx(60)
    assert record.measurements["bake"]["rounds"] == 13 and record.measurements["bake"]["failed_rounds"] == 0
    assert any("bake 60s/60s: round 13 pass; alarms: green-5xx=OK" in line for line in lines)


def test_lock_held_refuses_at_once_naming_the_holder(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    holder = Lease(aws, table, "arn:aws:iam::123456789012:user/bob", clock, host="ci-7", pid=4242)
    holder.acquire("switch green")
    with pytest.raises(LockHeld, match="user/bob on ci-7 pid 4242") as caught:
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert caught.value.exit_code == 1
    assert clock.sleeps == []  # at once: no waiting for the lock
    assert cloud.plans == [] and cloud.live_is_healthy()
    assert records(aws, table, clock)[0].state == Outcome.REFUSED
    assert holder.release()  # the holder's lock was not disturbed


KILL_POINTS = {
    # phase the kill strikes in -> how the fake cloud is told to strike there
    "preflight": "smoke:own:green",
    "preview (preview set, flip change set made meanwhile)": "smoke:preview:green",
    "change (change set created, not executed)": "plan",
    "change (update executing)": "execute",
    "verify": "smoke:live:green",
}


@pytest.mark.parametrize("where", list(KILL_POINTS))
def test_killed_switch_at_any_phase_then_rollback_succeeds_at_once_on_the_same_host(
    aws: Aws, table: str, clock: FakeClock, where: str
) -> None:
    # GIVEN alice's switch to green is killed (SIGKILL: no cleanup runs) at some phase
    processes = Processes()
    alice_pid = processes.spawn()
    cloud = FakeCloud()
    if KILL_POINTS[where] == "execute":
        cloud.kill_after_execute = True
    else:
        cloud.kill_in = KILL_POINTS[where]
    with pytest.raises(SimulatedKill):
        make_switcher(cloud, aws, table, clock, pid=alice_pid, processes=processes).switch("green", FAST)
    processes.kill(alice_pid)
    for thread in threading.enumerate():  # the kill lands after the background change set was made
        if thread.name == "bluegreen-flip-plan":
            thread.join()
    cloud.kill_in, cloud.kill_after_execute = None, False
    [dead] = records(aws, table, clock)
    assert dead.state == Outcome.STARTED
    # WHEN bob runs `rollback` on the same host right away
    lines: list[str] = []
    bob = make_switcher(
        cloud, aws, table, clock, who=BOB, lines=lines, pid=processes.spawn(), processes=processes
    )
    started = clock()
    result = bob.switch(None, FAST, action=Action.ROLLBACK)
    # THEN it takes the dead run's lock over without waiting, recovers it, and live is blue and healthy
    assert clock() - started < 90
    assert result.state in (Outcome.SUCCEEDED, Outcome.NOOP)
    assert cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()
    assert any("is gone" in line for line in lines)
    assert not cloud.preview_rule.active  # the preview the dead switch set (from verify on) is cleared
    assert cloud.leftover_change_sets == []  # the dead run's unexecuted change set is deleted
    by_id = {r.record_id: r for r in records(aws, table, clock)}
    assert by_id[dead.record_id].state == Outcome.INTERRUPTED
    assert "lock taken over" in by_id[dead.record_id].reason
    if where.startswith(("preview", "change (change set")):  # killed with the preview set, before the flip
        assert "cleared its preview of green" in by_id[dead.record_id].reason
    else:  # none set yet, or the flip's own update cleared it
        assert "preview" not in by_id[dead.record_id].reason
    assert lock_of(aws, table, clock) is None


def test_killed_switch_on_another_host_is_taken_over_once_its_lease_lapses(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a switch killed on host-a right after executing its change set (stack still UPDATE_IN_PROGRESS)
    cloud = FakeCloud()
    cloud.kill_after_execute = True
    with pytest.raises(SimulatedKill):
        make_switcher(cloud, aws, table, clock, host="host-a").switch("green", FAST)
    cloud.kill_after_execute = False
    [dead] = records(aws, table, clock)
    assert dead.state == Outcome.STARTED and dead.phase == "change"
    # WHEN bob on host-b tries within the lease, he is told who holds it
    with pytest.raises(LockHeld, match="user/alice on host-a"):
        make_switcher(cloud, aws, table, clock, who=BOB, host="host-b").switch(
            None, FAST, action=Action.ROLLBACK
        )
    # AND once the 60 s lease lapses, his rollback recovers the interrupted switch and returns to blue
    clock.advance(61)
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, who=BOB, host="host-b", lines=lines).switch(
        None, FAST, action=Action.ROLLBACK
    )
    assert any("interrupted switch blue->green by " + ALICE + " at phase change" in line for line in lines)
    assert cloud.settled >= 1  # waited for the in-progress stack update before judging
    assert result.state == Outcome.SUCCEEDED and result.to_color == "blue" and cloud.live_is_healthy()
    by_id = {r.record_id: r for r in records(aws, table, clock)}
    assert by_id[dead.record_id].state == Outcome.INTERRUPTED
    assert "lease lapsed" in by_id[dead.record_id].reason


def test_a_run_that_lost_its_lock_never_executes_its_change(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN an operator breaks alice's lock while her switch is in preflight
    cloud = FakeCloud()

    def break_the_lock() -> None:
        Lease(aws, table, BOB, clock).acquire("unlock", force=True)

    cloud.smoke_gate = break_the_lock
    with pytest.raises(LockLost):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert cloud.executed == [] and cloud.color_of(cloud.mapping) == "blue"
    assert cloud.discarded == cloud.plans  # its change set is not left behind


def test_a_run_that_loses_its_lock_during_verification_leaves_the_rollback_to_the_new_holder(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN green fails on the live hostname, and an operator breaks the lock during verification
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"

    broken: list[bool] = []

    def break_the_lock_once_live() -> None:  # what `unlock --force` does: take the lock, then release it
        if cloud.color_of(cloud.mapping) == "green" and not broken:
            breaker = Lease(aws, table, BOB, clock)
            breaker.acquire("unlock", force=True)
            breaker.release()
            broken.append(True)

    cloud.smoke_gate = break_the_lock_once_live
    # WHEN the run notices THEN it stops without changing anything more (no lockless rollback)
    with pytest.raises(LockLost):
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert [p.api_id for p in cloud.executed] == ["api-green"]
    # AND the new holder's rollback recovers the run and returns live to blue
    result = make_switcher(cloud, aws, table, clock, who=BOB).switch(None, FAST, action=Action.ROLLBACK)
    assert result.to_color == "blue" and cloud.color_of(cloud.mapping) == "blue" and cloud.live_is_healthy()


def test_two_switches_started_together_exactly_one_proceeds(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    loser_done = threading.Event()

    def hold_until_loser_returns() -> None:  # the winner holds the lock until the loser is turned away
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
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["LockHeld", "Outcome"]
    assert Outcome.SUCCEEDED in outcomes.values()
    assert len(cloud.executed) == 1 and cloud.color_of(cloud.mapping) == "green" and cloud.live_is_healthy()


def test_dry_run_changes_nothing(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", SwitchOptions(dry_run=True))
    assert result.state == Outcome.DRY_RUN
    assert cloud.executed == [] and cloud.discarded == cloud.plans and len(cloud.plans) == 1
    assert cloud.color_of(cloud.mapping) == "blue"
    assert any("LiveMapping" in line for line in lines)  # the change set was shown
    assert records(aws, table, clock) == []
    assert lock_of(aws, table, clock) is None


def test_switching_to_the_live_color_is_a_noop(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    result = make_switcher(cloud, aws, table, clock).switch("blue", FAST)
    assert result.state == Outcome.NOOP and "already live" in result.message
    assert cloud.plans == []


def test_declined_confirmation_changes_nothing(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    with pytest.raises(OperationFailed, match="cancelled"):
        make_switcher(cloud, aws, table, clock, confirm=False).switch("green", SwitchOptions(consecutive=2))
    assert cloud.executed == [] and cloud.color_of(cloud.mapping) == "blue"
    assert records(aws, table, clock)[0].state == Outcome.CANCELLED


def test_rollback_returns_to_the_color_live_before_the_last_successful_switch(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    make_switcher(cloud, aws, table, clock).switch("green", FAST)
    result = make_switcher(cloud, aws, table, clock).switch(None, FAST, action=Action.ROLLBACK)
    assert result.to_color == "blue" and cloud.color_of(cloud.mapping) == "blue"


def test_rollback_works_while_the_live_color_is_unhealthy(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    make_switcher(cloud, aws, table, clock).switch("green", FAST)
    cloud.healthy["green"] = False  # live is broken; only the target (blue) is preflighted
    result = make_switcher(cloud, aws, table, clock).switch(None, FAST, action=Action.ROLLBACK)
    assert (
        result.state == Outcome.SUCCEEDED
        and cloud.color_of(cloud.mapping) == "blue"
        and cloud.live_is_healthy()
    )
    assert records(aws, table, clock)[0].action == "rollback"


def test_failed_rollback_says_where_live_may_be_and_what_to_run(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    cloud = FakeCloud()
    cloud.unhealthy_after_switch = "green"
    cloud.fail_rollback_update = True
    with pytest.raises(OperationFailed, match="so did the rollback") as caught:
        make_switcher(cloud, aws, table, clock).switch("green", FAST)
    assert "Live may be on green or blue" in str(caught.value.message)
    assert "bluegreen switch blue --yes" in str(caught.value.message)
    assert records(aws, table, clock)[0].state == Outcome.FAILED


def test_switch_waits_for_an_update_already_in_progress(aws: Aws, table: str, clock: FakeClock) -> None:
    cloud = FakeCloud()
    cloud.stack_status = "UPDATE_IN_PROGRESS"  # e.g. a deploy domain still running
    lines: list[str] = []
    result = make_switcher(cloud, aws, table, clock, lines=lines).switch("green", FAST)
    assert cloud.settled == 1 and any("waiting for it to settle" in line for line in lines)
    assert result.state == Outcome.SUCCEEDED and cloud.color_of(cloud.mapping) == "green"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verify_interval": 30.0, "verify_timeout": 10.0}, "must not exceed --verify-timeout"),
        ({"bake_seconds": float("nan")}, "finite"),
        ({"verify_timeout": float("inf")}, "finite"),
    ],
)
def test_options_refuse_values_that_would_hang_or_crash(fields: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        SwitchOptions(**fields)  # type: ignore[arg-type]
    assert caught.value.exit_code == 2
