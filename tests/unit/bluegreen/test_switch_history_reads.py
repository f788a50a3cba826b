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
