"""Convergence polling: API Gateway has no waiter for a mapping change, so we watch the live hostname."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bluegreen.probe import HealthProber


@dataclass
class Convergence:
    color: str
    converged: bool
    seconds: float
    first_hit_seconds: float | None
    probes: int
    seen: Counter[str] = field(default_factory=Counter)
    last_error: str = ""

    def summary(self) -> str:
        seen = ", ".join(f"{key} x{count}" for key, count in sorted(self.seen.items()))
        if self.converged:
            first = (
                f"first {self.color} answer after {self.first_hit_seconds:.2f}s, "
                if self.first_hit_seconds
                else ""
            )
            return f"converged on {self.color} in {self.seconds:.2f}s ({first}{self.probes} probes: {seen})"
        return f"did not converge on {self.color} within {self.seconds:.1f}s ({self.probes} probes: {seen})"


def wait_for_color(
    prober: HealthProber,
    base_url: str,
    color: str,
    *,
    consecutive: int,
    timeout: float,
    interval: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Convergence:
    """Polls until `consecutive` healthy answers in a row come from `color`, or the timeout passes.

    The convergence time is measured from the call to the first answer of the final healthy streak.
    """
    started = clock()
    streak = 0
    streak_started: float | None = None
    result = Convergence(color=color, converged=False, seconds=0.0, first_hit_seconds=None, probes=0)
    while True:
        probe_time = clock()
        health = prober.health(base_url)
        result.probes += 1
        label = health.environment if health.ok and health.environment else f"unhealthy({health.status})"
        result.seen[label] += 1
        if health.serves(color):
            if streak == 0:
                streak_started = probe_time
            if result.first_hit_seconds is None:
                result.first_hit_seconds = probe_time - started
            streak += 1
            if streak >= consecutive:
                result.converged = True
                result.seconds = (streak_started if streak_started is not None else probe_time) - started
                return result
        else:
            streak = 0
            result.last_error = health.error or f"served by {health.environment}"
        if clock() - started >= timeout:
            result.seconds = clock() - started
            return result
        sleep(interval)
