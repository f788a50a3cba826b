"""The zero-downtime verdict counts exactly the failures and stale answers a user would notice."""

from __future__ import annotations

from localcloud.zero_downtime import Sample, Switch, analyse


def _ok(started: float, color: str, ms: float = 2.0) -> Sample:
    return Sample(started=started, seconds=ms / 1000, status=200, color=color)


SWITCH = Switch(previous="blue", target="green", started=10.0, executed=11.0, completed=12.0)


def test_clean_switch_has_no_failure_and_converges_from_the_stack_update() -> None:
    # GIVEN blue answers until 11.5 and green from then on
    samples = [_ok(t / 10, "blue") for t in range(90, 115)] + [_ok(t / 10, "green") for t in range(115, 140)]
    # WHEN the run is analysed
    report = analyse(samples, [SWITCH])
    # THEN nothing failed, nothing stale, convergence measured from the update's start
    assert report.failures == 0
    assert report.stale_after_completion == 0
    assert report.requests == 50
    assert report.convergence_seconds == [0.5]
    assert 1.9 < report.p50_ms < 2.1


def test_old_color_after_completion_and_errors_are_counted() -> None:
    samples = [
        _ok(11.2, "blue"),
        _ok(11.6, "green"),
        _ok(12.5, "blue"),  # started after completion, served by the old color: stale
        Sample(started=12.6, seconds=0.01, status=502, color=None),
        Sample(started=12.7, seconds=10.0, status=None, color=None),
        _ok(12.8, "green"),
    ]
    report = analyse(samples, [SWITCH])
    assert report.stale_after_completion == 1
    assert report.failures == 2
    # convergence is when the target served every request after the last other answer
    assert report.convergence_seconds == [12.8 - 11.0]


def test_each_switch_is_judged_in_its_own_window() -> None:
    back = Switch(previous="green", target="blue", started=20.0, executed=20.5, completed=21.0)
    samples = [_ok(13.0, "green"), _ok(19.9, "green"), _ok(20.7, "blue"), _ok(21.5, "blue")]
    report = analyse(samples, [SWITCH, back])
    assert report.stale_after_completion == 0
    assert len(report.convergence_seconds) == 2
