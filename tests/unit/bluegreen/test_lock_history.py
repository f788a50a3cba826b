"""The lock and the history against moto's DynamoDB (the same conditional writes AWS evaluates)."""

from __future__ import annotations

import threading

import pytest

from bluegreen import history as h
from bluegreen.aws import Aws
from bluegreen.errors import LockHeld, OperationFailed
from bluegreen.history import History
from bluegreen.lock import SwitchLock, default_owner
from tests.unit.bluegreen.fakes import FakeClock


def test_second_holder_is_refused_with_the_holders_name_and_expiry(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    first = SwitchLock(aws, table, "alice on h1 pid 1", clock)
    first.acquire("switch", ttl=300)
    with pytest.raises(LockHeld) as caught:
        SwitchLock(aws, table, "bob on h2 pid 2", clock).acquire("switch", ttl=300)
    assert caught.value.holder == "alice on h1 pid 1"
    assert caught.value.expires_at == "2027-01-15T08:05:00.000Z"


def test_an_expired_lock_can_be_taken_over(aws: Aws, table: str, clock: FakeClock) -> None:
    SwitchLock(aws, table, "crashed", clock).acquire("switch", ttl=300)
    clock.advance(301)
    taker = SwitchLock(aws, table, "bob", clock)
    taker.acquire("rollback", ttl=300)
    info = taker.peek()
    assert info is not None and info.holder == "bob" and info.operation == "rollback"


def test_release_and_renew_only_by_the_holder(aws: Aws, table: str, clock: FakeClock) -> None:
    old = SwitchLock(aws, table, "old", clock)
    old.acquire("switch", ttl=60)
    clock.advance(61)
    new = SwitchLock(aws, table, "new", clock)
    new.acquire("switch", ttl=60)
    assert old.release() is False  # expired holder cannot delete the new lock
    with pytest.raises(OperationFailed, match="lost the switch lock"):
        old.renew()
    new.renew("rec-1")
    info = new.peek()
    assert info is not None and info.record_id == "rec-1" and info.expires_at == clock() + 60
    assert new.release() is True and new.peek() is None


def test_many_threads_racing_for_the_lock_get_exactly_one_winner(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    barrier = threading.Barrier(8)
    winners: list[str] = []
    refused: list[str] = []

    def race(i: int) -> None:
        lock = SwitchLock(aws, table, f"runner-{i}", clock)
        barrier.wait()
        try:
            lock.acquire("switch", ttl=300)
            winners.append(lock.holder)
        except LockHeld as exc:
            refused.append(exc.holder)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(winners) == 1 and len(refused) == 7
    assert set(refused) == set(winners)


def test_default_owner_names_caller_host_and_pid() -> None:
    owner = default_owner("arn:aws:sts::1:assumed-role/ops/alice")
    assert owner.startswith("arn:aws:sts::1:assumed-role/ops/alice on ") and " pid " in owner


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
    history.finish(second, h.SUCCEEDED)
    assert [r.record_id for r in history.recent()] == [second.record_id, first.record_id]
    stored = history.recent(1)[0]
    assert stored.state == h.SUCCEEDED and stored.phase == "verify"
    assert stored.durations == {"verify": 1.25, "change": 12.5} and stored.convergence_seconds == 1.25
    with pytest.raises(OperationFailed, match="no longer STARTED"):
        history.finish(second, h.FAILED, "rewrite attempt")
    assert [r.record_id for r in history.started()] == [first.record_id]
    assert history.last_succeeded_switch() is not None


def test_history_refuses_to_overwrite_an_existing_record(aws: Aws, table: str, clock: FakeClock) -> None:
    history = History(aws, table, clock)
    record = history.append(history.new_record("alice", "switch"))
    with pytest.raises(OperationFailed, match="already exists"):
        history.append(record)
