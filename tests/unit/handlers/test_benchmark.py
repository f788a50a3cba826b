"""The handler benchmark, which measures the issue's goals, runs and prints each figure beside its goal.

The figures themselves are not asserted (speed is measured, not tested); that the tool which measures
them works is.
"""

import logging
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from tests.handler_loader import COLORS, REPO_ROOT

BENCHMARK = REPO_ROOT / "tests" / "unit" / "handlers" / "benchmark.py"
NUMBER = r"[0-9]+(?:\.[0-9]+)?"
FIVE = rf"(?:{NUMBER}, ){{4}}{NUMBER}"  # one figure a round
# Each figure the README's table quotes, as the benchmark prints it for a color.
FIGURES = {
    "artifact": rf"artifact {NUMBER} MB zipped, .*bundled: none \[goal <= 5 MB",
    "import": rf"import median {NUMBER} ms .*\[goal <= 150 ms",
    "import ratio": rf"{NUMBER}x the seed-style handler's import, median {NUMBER} ms in alternation",
    "shipped artifact": rf"artifact as `bluegreen deploy` ships it, .*: {NUMBER} MB zipped",
    "cold start": rf"first POST /orders +after a fresh import median {NUMBER} ms; cold start",
    "warm /health": rf"warm GET /health +p50 +{NUMBER} us, p99 +{NUMBER} us .*\[goal p99 <= 150 us",
    "warm /pets": rf"warm GET /pets +p50 +{NUMBER} us, p99 +{NUMBER} us .*\[goal p99 <= 150 us",
    "warm orders": rf"warm POST /orders +p50 +{NUMBER} us, p99 +{NUMBER} us .*\[goal p99 <= 250 us",
    "rounds": rf"by round of 10: p99 {FIVE} us; the host's speed .* {FIVE} us",
    "machine tail": rf"the machine's own tail: a pure-Python loop sized to this route's p50, timed 50 times "
    rf"back to back: p50 {NUMBER} us, p99 {NUMBER} us, {NUMBER}x its p50 \(the route's p99: {NUMBER}x",
    "idle gap": rf"after a 10 ms idle gap before each request: p50 {NUMBER} us \(back to back {NUMBER} us\); "
    rf"the seed-style handler's GET /health p50 {NUMBER} us",
}


def test_the_handler_benchmark_prints_every_goals_figure_for_each_color() -> None:
    # GIVEN the fewest measurements the benchmark takes WHEN it runs
    done = subprocess.run(
        [sys.executable, str(BENCHMARK), "--imports", "1", "--invokes", "50"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    # THEN it succeeds, and prints each figure, with its goal, for each color
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    missing = [
        f"{color} {figure}"
        for color in COLORS
        for figure, pattern in FIGURES.items()
        if not any(re.match(f"{color}: +{pattern}", line) for line in lines)
    ]
    assert missing == [], done.stdout


class _Clock:
    """perf_counter and thread_time for the benchmark: each request advances them by its own number."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _FakeBundle:
    """A bundle whose handler numbers its requests and records them between the seed-style handler's."""

    def __init__(self, clock: _Clock, sequence: list[str]) -> None:
        self.clock, self.sequence, self.requests = clock, sequence, 0
        self.app = SimpleNamespace(logger=SimpleNamespace(registered_handler=logging.StreamHandler()))

    def handler(self, event: object, context: object) -> dict[str, int]:
        self.requests += 1
        self.clock.now += self.requests
        self.sequence.append(f"request {self.requests}")
        return {"statusCode": 200}


def test_warm_rounds_time_requests_after_untimed_ones_and_idle_gap_requests_each_follow_a_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a handler whose n-th request takes n seconds on the benchmark's clocks
    from tests.unit.handlers import benchmark

    clock, sequence = _Clock(), list[str]()
    bundle = _FakeBundle(clock, sequence)
    monkeypatch.setattr(benchmark, "load_bundle", lambda color: bundle)

    # The benchmark's own `time` only: the process's clocks stay as they are for every other thread.
    def idle(seconds: float) -> None:
        sequence.append(f"idle {seconds}")

    monkeypatch.setattr(benchmark, "time", SimpleNamespace(perf_counter=clock, thread_time=clock, sleep=idle))

    def seed() -> float:
        sequence.append("seed")
        return 5e-6

    # WHEN 2 rounds of 3 timed requests run, each round after the seed-style handler, with 2 untimed,
    # then 2 requests each after an idle gap
    run = benchmark.warm_invoke_seconds(
        "blue", {"httpMethod": "GET", "path": "/health"}, 6, 200, seed, 2, 2, idle_gap_requests=2
    )

    # THEN the first request checks the route, and each round is: the seed, 2 untimed, 3 timed requests;
    # then each idle-gap request follows its own sleep
    assert sequence == [
        "request 1",
        "seed",
        *[f"request {n}" for n in range(2, 7)],
        "seed",
        *[f"request {n}" for n in range(7, 12)],
        f"idle {benchmark.IDLE_GAP_SECONDS}",
        "request 12",
        f"idle {benchmark.IDLE_GAP_SECONDS}",
        "request 13",
    ]
    assert run.wall == run.cpu == [4.0, 5.0, 6.0, 9.0, 10.0, 11.0]
    assert run.seed_p50s == [5e-6, 5e-6]
    assert run.round_p99s == [6.0, 11.0]
    assert run.after_idle_p50 == 12.0


def test_the_machines_tail_is_timed_on_a_loop_sized_to_the_target_and_run_as_often_as_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a machine where an iteration of the loop takes 2 ns on the benchmark's clock
    from tests.unit.handlers import benchmark

    clock, spins = _Clock(), list[int]()

    def spin(iterations: int) -> int:
        spins.append(iterations)
        clock.now += iterations * 2e-9
        return 0

    monkeypatch.setattr(benchmark, "spin", spin)
    monkeypatch.setattr(benchmark, "time", SimpleNamespace(perf_counter=clock))

    # WHEN the tail of a 100 us route is measured over 7 runs
    timings = benchmark.fixed_work_seconds(100e-6, 7)

    # THEN the loop was timed at its calibration size, then sized to 100 us, run untimed as a round begins,
    # and timed 7 times
    calibration = [benchmark.SPIN_CALIBRATION_ITERATIONS] * benchmark.SPIN_CALIBRATION_RUNS
    assert spins == [*calibration, *[50_000] * (benchmark.REWARM_REQUESTS + 7)]
    assert timings == pytest.approx([100e-6] * 7)
