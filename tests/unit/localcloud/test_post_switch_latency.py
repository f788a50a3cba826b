"""Post-switch latency: the requests users sent in the 10 s after each flip, a cold target's signature."""

from __future__ import annotations

from localcloud.zero_downtime import Sample, Switch, analyse, post_switch_latencies


def _ok(started: float, ms: float) -> Sample:
    return Sample(started=started, seconds=ms / 1000, status=200, color="green")


def test_only_requests_started_within_ten_seconds_of_a_flip_count_each_once() -> None:
    # GIVEN two flips 4 s apart, a slow answer right after the first and one long after both
    switches = [
        Switch("blue", "green", started=0.0, executed=1.0, completed=1.2),
        Switch("green", "blue", started=4.0, executed=5.0, completed=5.2),
    ]
    samples = [
        _ok(0.5, 900.0),  # before any flip: steady traffic, not counted
        _ok(1.1, 800.0),  # a cold start right after the first flip
        _ok(6.0, 2.0),  # inside both windows: counted once
        _ok(14.9, 3.0),  # inside the second window only
        _ok(15.0, 700.0),  # 10 s after the last flip: outside
        Sample(started=2.0, seconds=10.0, status=None, color=None),  # no answer: a failure, not a latency
    ]
    # WHEN analysed
    report = analyse(samples, switches)
    # THEN the post-switch figures see exactly the three answered requests inside the windows
    assert post_switch_latencies(samples, switches) == [2.0, 3.0, 800.0]
    assert report.post_switch_requests == 3
    assert report.post_switch_max_ms == 800.0
    assert report.post_switch_p99_ms == 800.0
    # AND the slowest is placed after the flip it followed
    assert report.post_switch_max_at == "switch 1 (blue -> green), +0.10 s"


def test_no_switch_has_no_post_switch_figures() -> None:
    report = analyse([_ok(1.0, 2.0)], [])
    assert report.post_switch_requests == 0
    assert report.post_switch_max_ms != report.post_switch_max_ms  # nan: nothing measured
    assert report.post_switch_max_at == ""
