"""The handler benchmark, which measures the issue's goals, runs and prints each figure beside its goal.

The figures themselves are not asserted (speed is measured, not tested); that the tool which measures
them works is.
"""

import re
import subprocess
import sys

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
