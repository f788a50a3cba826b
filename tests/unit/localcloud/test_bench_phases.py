"""The bench's per-phase line: each phase's median over the commands that ran it, and what no phase covers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from localcloud.bench import phase_seconds, phases_line

SWITCH_OUTPUT = """switch blue->green (v1 -> v2) on api.example.com
green (v2) is live on api.example.com, verified in 0.20s
  phases: lock 0.02s, preflight 0.06s, preview 0.19s, data-gate 0.09s, warm 0.14s, change 0.03s, verify 0.20s
"""


def test_a_switch_output_gives_its_phase_seconds() -> None:
    assert phase_seconds(SWITCH_OUTPUT) == {
        "lock": 0.02,
        "preflight": 0.06,
        "preview": 0.19,
        "data-gate": 0.09,
        "warm": 0.14,
        "change": 0.03,
        "verify": 0.2,
    }


def test_an_output_without_phases_gives_none() -> None:
    assert phase_seconds("refused to switch to green: smoke failed\n") == {}


def test_medians_cover_the_commands_that_ran_each_phase_and_the_time_outside_them() -> None:
    # GIVEN a switch (with a preview) and two rollbacks (without), and their whole durations
    phases = [
        {"lock": 0.1, "preview": 0.4, "verify": 0.3},
        {"lock": 0.2, "verify": 0.5},
        {"lock": 0.3, "verify": 0.1},
    ]
    durations = [1.8, 1.7, 1.4]
    # WHEN the line is made THEN the preview's median is its one run's, and outside is total minus phases
    assert phases_line(phases, durations) == "lock 0.20, preview 0.40, verify 0.30, outside phases 1.00"


def test_the_host_speed_is_the_median_of_the_reference_requests_timed_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a clock that moves 1, 2, 3, 4 and 10 us inside the five reference requests
    from localcloud import bench

    now, requests, durations_us = [0.0], list[int](), [1, 2, 3, 4, 10]

    def reference() -> str:
        requests.append(len(requests) + 1)
        now[0] += durations_us[len(requests) - 1] * 1e-6
        return "{}"

    monkeypatch.setattr(bench, "reference_request", reference)
    monkeypatch.setattr(bench, "time", SimpleNamespace(perf_counter=lambda: now[0]))

    # WHEN the host's speed is read over 5 requests THEN it is the median request (not the mean), in us
    assert bench.reference_request_us(5) == pytest.approx(3.0)
    assert requests == [1, 2, 3, 4, 5]


def test_the_reference_request_is_the_seed_style_health_answer() -> None:
    from localcloud.bench import reference_request

    answer = json.loads(reference_request())
    assert answer["status"] == "healthy"
    assert datetime.fromisoformat(answer["timestamp"]).utcoffset() == timedelta(0)
