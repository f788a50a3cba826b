"""What a switch reads from the history stays the same size as the history grows."""

from __future__ import annotations

from bluegreen.aws import Aws
from bluegreen.history import History
from bluegreen.states import Outcome
from tests.unit.bluegreen.fakes import FakeClock


def test_started_finds_the_unfinished_among_the_newest_only(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN an old unfinished record, then 60 finished ones, then a recent unfinished one
    history = History(aws, table, clock)
    old = history.append(history.new_record("alice", "switch"))
    for _ in range(60):
        clock.advance(1)
        history.finish(history.append(history.new_record("bob", "switch")), Outcome.SUCCEEDED)
    clock.advance(1)
    recent = history.append(history.new_record("carol", "rollback"))
    # WHEN the runs still STARTED among the newest 50 are asked for
    started = history.started(scan_limit=50)
    # THEN only the recent one: the old one is beyond the window, the finished ones are not returned
    assert [r.record_id for r in started] == [recent.record_id]
    assert old.record_id in [r.record_id for r in history.started(scan_limit=100)]


def test_recent_reads_the_newest_first_across_pages(aws: Aws, table: str, clock: FakeClock) -> None:
    history = History(aws, table, clock)
    ids = []
    for _ in range(12):
        clock.advance(1)
        ids.append(history.append(history.new_record("alice", "switch")).record_id)
    assert [r.record_id for r in history.recent(5)] == ids[::-1][:5]
    assert [r.record_id for r in history.recent()] == ids[::-1]
    page = aws.query_newest_first(table, "HISTORY", 3, equals={"who": "alice"})
    assert [item["sk"] for item in page] == ids[::-1][:3]


def test_summaries_leave_the_measurements_on_the_server(aws: Aws, table: str, clock: FakeClock) -> None:
    # GIVEN a finished switch with its measurements, then a rollback interrupted mid-way
    history = History(aws, table, clock)
    switch = history.new_record("alice", "switch", from_color="blue", to_color="green")
    switch.measurements = {"verify": {"rounds": 3}, "preview": {"smoke": {"checks": ["..."] * 50}}}
    switch.durations = {"verify": 0.3}
    history.finish(history.append(switch), Outcome.SUCCEEDED)
    clock.advance(1)
    history.append(history.new_record("bob", "rollback", from_color="green", to_color="blue"))
    # WHEN the newest records are summarised
    newest, oldest = history.summaries(10)
    # THEN every field a rollback target needs is there, the bulk is not
    assert (newest.action, newest.state, newest.from_color, newest.to_color) == (
        "rollback",
        Outcome.STARTED,
        "green",
        "blue",
    )
    assert (oldest.record_id, oldest.state, oldest.who) == (switch.record_id, Outcome.SUCCEEDED, "alice")
    assert oldest.measurements == {} and oldest.durations == {}
    assert history.last_traffic_move() is not None
    assert history.last_traffic_move().record_id == switch.record_id  # type: ignore[union-attr]


def test_the_last_traffic_move_is_read_from_the_newest_few_and_found_further_back(
    aws: Aws, table: str, clock: FakeClock
) -> None:
    # GIVEN a successful switch, then 15 refused ones after it
    history = History(aws, table, clock)
    switch = history.new_record("alice", "switch", from_color="blue", to_color="green")
    history.finish(history.append(switch), Outcome.SUCCEEDED)
    for _ in range(15):
        clock.advance(1)
        history.finish(history.append(history.new_record("bob", "switch")), Outcome.REFUSED)
    reads: list[int] = []
    summaries = history.summaries
    history.summaries = lambda limit: (reads.append(limit), summaries(limit))[1]  # type: ignore[method-assign]
    # WHEN the last traffic move is asked for THEN it is found beyond the first small read
    move = history.last_traffic_move()
    assert move is not None and move.record_id == switch.record_id
    assert reads == [10, 200]
    # and a recent one is found in the first small read alone
    clock.advance(1)
    history.finish(history.append(history.new_record("carol", "rollback")), Outcome.SUCCEEDED)
    reads.clear()
    assert history.last_traffic_move().action == "rollback"  # type: ignore[union-attr]
    assert reads == [10]
