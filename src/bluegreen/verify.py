"""Verification through the live hostname: rounds of the whole smoke suite, not a health probe.

API Gateway has no waiter for a mapping change, so the live hostname is watched until K consecutive rounds
pass against the target color. A round that meets the previous color is propagation, not a failure; a round
in which the target itself fails counts towards F, and F consecutive failures give up at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bluegreen.smoke import SmokeReport

# Runs the smoke suite once against the live hostname, expecting the target's color and version.
SmokeRound = Callable[[], SmokeReport]
AlarmReader = Callable[[Sequence[str]], dict[str, str]]


@dataclass
class Verification:
    color: str
    consecutive: int
    fail_after: int | None
    converged: bool = False
    gave_up: bool = False  # F consecutive failed rounds
    seconds: float = 0.0  # from the start to the first round of the passing streak (or to the end)
    elapsed: float = 0.0  # from the start to the verdict: what the verify phase took
    rounds: int = 0
    passed_rounds: int = 0
    failed_rounds: int = 0
    other_color_rounds: int = 0
    requests: int = 0
    first_failure_at: float | None = None  # clock time of the first round the target failed
    failed_checks: Counter[str] = field(default_factory=Counter)
    last_failure: str = ""

    def summary(self) -> str:
        counts = (
            f"{self.rounds} rounds: {self.passed_rounds} passed, {self.failed_rounds} failed, "
            f"{self.other_color_rounds} still on another color; {self.requests} requests"
        )
        if self.converged:
            return (
                f"verified {self.color} on the live hostname in {self.elapsed:.2f}s, converged "
                f"{self.seconds:.2f}s after the change ({counts})"
            )
        why = (
            f"gave up after {self.fail_after} consecutive failed rounds"
            if self.gave_up
            else f"not verified within {self.elapsed:.1f}s"
        )
        return f"{self.color} {why} ({counts}); last failure: {self.last_failure or '-'}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "color": self.color,
            "converged": self.converged,
            "gave_up": self.gave_up,
            "seconds": round(self.seconds, 3),
            "elapsed": round(self.elapsed, 3),
            "rounds": self.rounds,
            "passed_rounds": self.passed_rounds,
            "failed_rounds": self.failed_rounds,
            "other_color_rounds": self.other_color_rounds,
            "requests": self.requests,
            "consecutive_required": self.consecutive,
            "fail_after": self.fail_after,
            "failed_checks": dict(self.failed_checks),
            "last_failure": self.last_failure,
        }


def describe_failure(report: SmokeReport) -> str:
    return "; ".join(f"{r.name} {r.status or '---'} {r.detail}".strip() for r in report.failures)


def verify_live(
    smoke_round: SmokeRound,
    color: str,
    *,
    consecutive: int,
    fail_after: int | None,
    timeout: float,
    interval: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    say: Callable[[str], None],
    heartbeat: Callable[[], None] = lambda: None,
) -> Verification:
    """Rounds until `consecutive` pass in a row, `fail_after` fail in a row, or `timeout` passes."""
    started = clock()
    result = Verification(color=color, consecutive=consecutive, fail_after=fail_after)
    streak = failing = 0
    streak_started = started
    while True:
        heartbeat()
        round_started = clock()
        report = smoke_round()
        result.rounds += 1
        result.requests += len(report.results)
        other = sorted(c for c in report.environments if c != color)
        if report.passed:
            result.passed_rounds += 1
            failing = 0
            streak_started = round_started if streak == 0 else streak_started
            streak += 1
            verdict = "pass"
        elif other:
            # The mapping has not reached every edge yet: the previous color answered.
            result.other_color_rounds += 1
            streak = failing = 0
            verdict = f"answered by {', '.join(other)}"
        else:
            result.failed_rounds += 1
            result.first_failure_at = result.first_failure_at or round_started
            result.last_failure = describe_failure(report)
            result.failed_checks.update(r.name for r in report.failures)
            streak = 0
            failing += 1
            verdict = f"FAIL ({result.last_failure})"
        say(f"  verify round {result.rounds}: {verdict}; {streak}/{consecutive} consecutive passes")
        if streak >= consecutive:
            result.converged = True
            result.seconds = streak_started - started
            result.elapsed = clock() - started
            return result
        if fail_after is not None and failing >= fail_after:
            result.gave_up = True
            result.seconds = result.elapsed = clock() - started
            return result
        if clock() - started >= timeout:
            result.seconds = result.elapsed = clock() - started
            return result
        sleep(min(interval, max(0.0, timeout - (clock() - started))))


@dataclass
class Bake:
    seconds: float
    rounds: int = 0
    failed_rounds: int = 0
    requests: int = 0
    elapsed: float = 0.0
    alarm_states: dict[str, str] = field(default_factory=dict)
    failure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "elapsed": round(self.elapsed, 3),
            "rounds": self.rounds,
            "failed_rounds": self.failed_rounds,
            "requests": self.requests,
            "alarm_states": self.alarm_states,
            "failure": self.failure,
        }


def bake_live(
    smoke_round: SmokeRound,
    alarms: AlarmReader,
    alarm_names: Sequence[str],
    *,
    seconds: float,
    interval: float,
    fail_after: int,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    say: Callable[[str], None],
    heartbeat: Callable[[], None] = lambda: None,
) -> Bake:
    """Repeats the live smoke and reads the alarms until `seconds` pass; any ALARM or `fail_after`
    consecutive failed rounds end it with a failure."""
    started = clock()
    bake = Bake(seconds=seconds)
    failing = 0
    while True:
        heartbeat()
        report = smoke_round()
        bake.rounds += 1
        bake.requests += len(report.results)
        failing = 0 if report.passed else failing + 1
        bake.failed_rounds += 0 if report.passed else 1
        bake.alarm_states = alarms(alarm_names) if alarm_names else {}
        firing = sorted(name for name, state in bake.alarm_states.items() if state == "ALARM")
        bake.elapsed = clock() - started
        states = ", ".join(f"{name}={state}" for name, state in sorted(bake.alarm_states.items())) or "none"
        smoke = "pass" if report.passed else f"FAIL ({describe_failure(report)})"
        say(f"  bake {bake.elapsed:.0f}s/{seconds:.0f}s: round {bake.rounds} {smoke}; alarms: {states}")
        if firing:
            bake.failure = f"bake: alarm(s) in ALARM: {', '.join(firing)}"
            return bake
        if failing >= fail_after:
            bake.failure = f"bake: {failing} consecutive failed live smoke rounds: {describe_failure(report)}"
            return bake
        remaining = seconds - bake.elapsed
        if remaining <= 0:
            return bake
        sleep(min(interval, remaining))
