"""The lock and the history against moto's DynamoDB (the same conditional writes AWS evaluates)."""

from __future__ import annotations

import threading
import time

import pytest

from bluegreen.aws import Aws
from bluegreen.errors import LockHeld, LockLost, OperationFailed
from bluegreen.history import History
from bluegreen.lock import Heartbeat, Lease
from bluegreen.operation import Run
from bluegreen.states import Action, Outcome, Phase
from tests.unit.bluegreen.fakes import FakeClock


def lease(aws: Aws, table: str, clock: FakeClock, who: str, **kwargs: object) -> Lease:
    return Lease(aws, table, who, clock, **kwargs)  # type: ignore[arg-type]


def test_second_holder_is_refused_with_the_holders_name_and_lease_expiry(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    lease(aws, table, clock, "alice", host="h1", pid=1).acquire("switch green")
    with pytest.raises(LockHeld) as caught:
        lease(aws, table, clock, "bob", host="h2", pid=2).acquire("rollback")
    assert caught.value.holder == "`switch green` by alice on h1 pid 1 since 2027-01-15T08:00:00.000Z"
    assert caught.value.expires_at == "2027-01-15T08:01:00.000Z"  # a 60 s lease


def test_a_lapsed_lease_is_taken_over_and_names_what_it_took(aws: Aws, table: str, clock: FakeClock) -> None:
    lease(aws, table, clock, "crashed", host="h1", pid=1).acquire("switch green")
    clock.advance(61)
    taker = lease(aws, table, clock, "bob", host="h2", pid=2)
    taken = taker.acquire("rollback")
    assert taken is not None and taken[0].who == "crashed" and "lapsed" in taken[1]
    info = taker.peek()
    assert info is not None and (info.who, info.command, info.host, info.pid) == ("bob", "rollback", "h2", 2)


def test_a_lock_whose_process_is_gone_on_this_host_is_taken_over_at_once(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    alive = {10}
    lease(aws, table, clock, "alice", host="h1", pid=10).acquire("switch green")
    bob = lease(aws, table, clock, "bob", host="h1", pid=11, is_alive=lambda pid: pid in alive)
    with pytest.raises(LockHeld):
        bob.acquire("rollback")  # alice is alive: refused
    alive.discard(10)  # kill -9
    taken = bob.acquire("rollback")
    assert taken is not None and "pid 10 on h1) is gone" in taken[1]
    # A process on another host cannot be checked: only the lapsed lease frees it.
    carol = lease(aws, table, clock, "carol", host="h2", pid=10, is_alive=lambda pid: False)
    with pytest.raises(LockHeld):
        carol.acquire("switch")


def test_force_breaks_a_live_lock_and_its_holder_finds_out_at_its_next_renewal(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    holder = lease(aws, table, clock, "alice", host="h1", pid=1)
    holder.acquire("switch green")
    breaker = lease(aws, table, clock, "bob", host="h2", pid=2)
    taken = breaker.acquire("unlock", force=True)
    assert taken is not None and taken[0].who == "alice"
    with pytest.raises(LockLost):
        holder.renew()
    assert holder.release() is False and breaker.release() is True and breaker.peek() is None


def test_release_and_renew_only_by_the_holder(aws: Aws, table: str, clock: FakeClock) -> None:
    old = lease(aws, table, clock, "old", host="h1", pid=1)
    old.acquire("switch")
    clock.advance(61)
    new = lease(aws, table, clock, "new", host="h2", pid=2)
    new.acquire("switch")
    assert old.release() is False  # a lapsed holder cannot delete the new lock
    with pytest.raises(LockLost, match="lost the lock"):
        old.renew()
    new.renew("rec-1")
    info = new.peek()
    assert info is not None and info.record_id == "rec-1" and info.expires_at == clock() + 60
    assert new.release() is True and new.peek() is None


def test_the_heartbeat_keeps_the_lease_alive_while_the_command_runs(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a holder with a heartbeat every 20 ms (real time), its clock moving 10 s per beat
    holder = lease(aws, table, clock, "alice", host="h1", pid=1)
    holder.acquire("switch green")
    beat = Heartbeat(holder, interval=0.02)
    beat.start()
    try:
        for _ in range(20):
            clock.advance(10)  # 200 s in all: far past one lease
            time.sleep(0.03)
        # THEN the lease never lapsed: another host is still refused
        with pytest.raises(LockHeld):
            lease(aws, table, clock, "bob", host="h2", pid=2).acquire("rollback")
    finally:
        beat.stop()
    beat.ensure_held()  # nothing lost


def test_a_heartbeat_that_finds_its_lock_taken_marks_the_run_lost(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    holder = lease(aws, table, clock, "alice", host="h1", pid=1)
    holder.acquire("switch green")
    lease(aws, table, clock, "bob", host="h2", pid=2).acquire("unlock", force=True)
    beat = Heartbeat(holder, interval=0.01)
    beat.start()
    deadline = time.monotonic() + 5
    while beat.lost is None and time.monotonic() < deadline:
        time.sleep(0.01)
    beat.stop()
    with pytest.raises(LockLost):
        beat.ensure_held()


def test_many_threads_racing_for_the_lock_get_exactly_one_winner(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    barrier = threading.Barrier(8)
    winners: list[str] = []
    refused: list[str] = []

    def race(i: int) -> None:
        contender = lease(aws, table, clock, f"runner-{i}", host=f"h{i}", pid=i + 1)
        barrier.wait()
        try:
            contender.acquire("switch")
            winners.append(f"by runner-{i} on h{i}")
        except LockHeld as exc:
            refused.append(exc.holder)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(winners) == 1 and len(refused) == 7
    assert all(winners[0] in holder for holder in refused)


def test_history_is_newest_first_and_finished_records_are_immutable(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    history = History(aws, table, clock)
    first = history.append(history.new_record("alice", "switch", from_color="blue", to_color="green"))
    clock.advance(10)
    second = history.append(history.new_record("bob", "rollback", from_color="green", to_color="blue"))
    history.set_phase(second, "verify")
    second.durations = {"verify": 1.25, "change": 12.5}
    second.convergence_seconds = 1.25
    history.finish(second, Outcome.SUCCEEDED)
    assert [r.record_id for r in history.recent()] == [second.record_id, first.record_id]
    stored = history.recent(1)[0]
    assert stored.state == Outcome.SUCCEEDED and stored.phase == "verify"
    assert stored.durations == {"verify": 1.25, "change": 12.5} and stored.convergence_seconds == 1.25
    with pytest.raises(OperationFailed, match="no longer STARTED"):
        history.finish(second, Outcome.FAILED, "rewrite attempt")
    assert [r.record_id for r in history.started()] == [first.record_id]
    assert history.last_succeeded_switch() is not None


def test_history_refuses_to_overwrite_an_existing_record(aws: Aws, table: str, clock: FakeClock) -> None:
    history = History(aws, table, clock)
    record = history.append(history.new_record("alice", "switch"))
    with pytest.raises(OperationFailed, match="already exists"):
        history.append(record)


def test_a_phase_trusts_a_running_heartbeat_and_stops_once_it_lost_the_lock(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a run holding the lock with a heartbeat (not started: no background renewal here)
    lease = Lease(aws, table, "alice", clock)
    lease.acquire("switch green")
    heartbeat = Heartbeat(lease)
    history = History(aws, table, clock)
    run = Run(history, lease, heartbeat, "alice", Action.SWITCH, "switch green", clock, lambda line: None)
    run.begin(from_color="blue", to_color="green")
    renewals: list[None] = []
    renew = lease.renew
    lease.renew = lambda *args: (renewals.append(None), renew(*args))[1]  # type: ignore[method-assign]
    # WHEN phases start: the heartbeat renews on its own, so a phase costs no renewal of its own
    with run.phase(Phase.PREFLIGHT):
        pass
    assert renewals == []
    # THEN once the heartbeat found the lock taken, the next phase refuses to start
    heartbeat.lost = LockLost("lost the lock: another run took it over")
    with pytest.raises(LockLost), run.phase(Phase.CHANGE):
        pytest.fail("a phase started without the lock")
    # and a change still renews synchronously before it runs (ensure_held)
    heartbeat.lost = None
    run.ensure_held()
    assert renewals == [None]
