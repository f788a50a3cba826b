"""Warming the target color before the flip, so no user request after it waits for a cold start.

The target gets as many execution environments as the live color runs now: the live function's
`ConcurrentExecutions` Maximum over the last minutes (CloudWatch `AWS/Lambda`), raised to a floor and held
under a cap. One wave of that many simultaneous GET /health requests on the target's own URL makes API
Gateway start that many environments (each serves one request at a time), and they stay warm for the flip.

Warming never refuses a switch: the preflight already proved the target healthy, and a rollback must stay
possible whatever the target's capacity. A shortfall is said and recorded.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from bluegreen.stacks import ColorStack

# The live function's peak concurrency over `lookback` seconds; None when CloudWatch has no datapoint.
ConcurrencyReader = Callable[[str, float], int | None]


@dataclass(frozen=True)
class WarmPolicy:
    """How far to warm. The floor covers the live color's traffic CloudWatch has not reported yet (its
    datapoints are per minute and arrive late); the cap bounds what one operator's machine sends at once."""

    floor: int = 2
    cap: int = 100
    lookback_seconds: float = 300.0
    timeout: float = 30.0  # the whole warm-up, cold starts included
    # One wave per path, all `target` requests of a wave in flight together. The first path must answer 200
    # with the color (GET /health); later ones load what a route initialises on first use (any answer
    # below 500 will do: a read of an order that does not exist warms the order path and writes nothing).
    paths: tuple[str, ...] = ("/health",)

    def __post_init__(self) -> None:
        if self.floor < 0 or self.cap < 1 or self.floor > self.cap:
            raise ValueError(f"warm floor ({self.floor}) must be from 0 to the cap ({self.cap}), cap >= 1")
        if not self.paths or not all(path.startswith("/") for path in self.paths):
            raise ValueError(f"warm paths must be one or more paths starting with '/', not {self.paths!r}")

    def target(self, live_peak: int | None) -> int:
        return min(self.cap, max(self.floor, live_peak or 0))


@dataclass(frozen=True)
class WarmAnswer:
    """One warm request: when it was in flight (clock seconds) and what answered."""

    started: float
    ended: float
    status: int | None
    environment: str | None
    error: str = ""


class WarmSender(Protocol):
    def send(
        self, base_url: str, paths: Sequence[str], count: int, timeout: float
    ) -> Sequence[Sequence[WarmAnswer]]:
        """One wave of `count` simultaneous GETs per path, in order; the answers of each wave."""
        ...


@dataclass
class Warming:
    color: str
    function: str  # the live function whose concurrency was read ("" when nothing is live)
    live_peak: int | None
    target: int
    achieved: int = 0  # most answers from the target in flight at the same moment
    answered: int = 0  # simultaneous requests the target answered 200
    slowest_ms: float = 0.0  # a cold start shows here; warm environments answer in milliseconds
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""
    failed: bool = False  # the warm-up itself broke (see the note)

    @property
    def complete(self) -> bool:
        """Every simultaneous request was answered by the target. Environments that were already warm may
        answer too fast to overlap, so `achieved` can stay below the target of a complete warm-up."""
        return not self.failed and self.answered >= self.target

    def summary(self) -> str:
        if self.note:
            source = self.note
        elif self.live_peak is not None:
            source = f"live {self.function} peak {self.live_peak}"
        else:
            source = f"no ConcurrentExecutions datapoint for {self.function or 'a live function'}"
        problems = ", ".join(f"{count}x {error}" for error, count in sorted(self.errors.items()))
        verdict = "warmed" if self.complete else "PARTLY warmed"
        return (
            f"{verdict} {self.color}: {self.answered}/{self.target} simultaneous requests answered, "
            f"{self.achieved} in flight at once, slowest {self.slowest_ms:.0f} ms, in {self.seconds:.2f}s "
            f"({source})" + (f"; failed: {problems}" if problems else "")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "color": self.color,
            "function": self.function,
            "live_peak": self.live_peak,
            "target": self.target,
            "achieved": self.achieved,
            "answered": self.answered,
            "slowest_ms": round(self.slowest_ms, 1),
            "seconds": round(self.seconds, 3),
            "errors": dict(self.errors),
            "note": self.note,
            "failed": self.failed,
        }


def function_name(lambda_arn: str) -> str:
    """`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name ("" when not an ARN)."""
    parts = lambda_arn.split(":")
    return parts[6] if len(parts) >= 7 and parts[5] == "function" else ""


def peak_in_flight(answers: Sequence[WarmAnswer]) -> int:
    """The most intervals overlapping at one instant: environments that were busy at the same time."""
    edges = sorted(
        [(answer.started, 1) for answer in answers] + [(answer.ended, -1) for answer in answers],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same instant
    )
    peak = running = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


class Warmer:
    """Warms a target color stack to the live color stack's current concurrency."""

    def __init__(
        self,
        policy: WarmPolicy,
        concurrency: ConcurrencyReader,
        sender: WarmSender,
        clock: Callable[[], float],
    ) -> None:
        self.policy = policy
        self._concurrency = concurrency
        self._sender = sender
        self._clock = clock
        self._ahead: tuple[str, threading.Thread, dict[str, Any]] | None = None

    def read_ahead(self, live: ColorStack | None) -> None:
        """Starts reading the live color's peak concurrency on a background thread, so the warm-up does not
        wait for it (a CloudWatch client and call: CPU the checks' network waits leave idle)."""
        function = function_name(live.lambda_arn) if live is not None else ""
        if not function:
            return
        read: dict[str, Any] = {}

        def reader() -> None:
            try:
                read["peak"] = self._concurrency(function, self.policy.lookback_seconds)
            except Exception as exc:  # raised again where the warm-up reads it, and noted there
                read["error"] = exc

        thread = threading.Thread(target=reader, name="bluegreen-warm-read", daemon=True)
        thread.start()
        self._ahead = (function, thread, read)

    def _peak(self, function: str, lookback: float) -> int | None:
        """The read started ahead for this function, else a read now."""
        ahead, self._ahead = self._ahead, None
        if ahead is None or ahead[0] != function:
            return self._concurrency(function, lookback)
        _, thread, read = ahead
        thread.join()
        if "error" in read:
            raise read["error"]
        peak: int | None = read["peak"]
        return peak

    def safely(self, target: ColorStack, live: ColorStack | None) -> Warming:
        """The warm-up; one that failed is a note in its result: warming never stops a release."""
        try:
            return self(target, live)
        except Exception as exc:
            failed = Warming(target.color, "", None, self.policy.floor, failed=True)
            failed.note = f"the warm-up failed: {type(exc).__name__}: {exc}"
            return failed

    def __call__(self, target: ColorStack, live: ColorStack | None) -> Warming:
        live_function = function_name(live.lambda_arn) if live is not None else ""
        return warm(
            target.color,
            target.endpoint,
            live_function,
            policy=self.policy,
            concurrency=self._peak,
            sender=self._sender,
            clock=self._clock,
        )


def warm(
    color: str,
    base_url: str,
    live_function: str,
    *,
    policy: WarmPolicy,
    concurrency: ConcurrencyReader,
    sender: WarmSender,
    clock: Callable[[], float],
) -> Warming:
    """Reads the live color's peak concurrency, then sends one wave of that many requests to the target."""
    started = clock()
    live_peak, note = None, ""
    if live_function:
        try:
            live_peak = concurrency(live_function, policy.lookback_seconds)
        except Exception as exc:  # no metric is no reason to stop a release: the floor still applies
            note = f"ConcurrentExecutions unreadable ({type(exc).__name__}: {exc}); warmed to the floor"
    result = Warming(color, live_function, live_peak, policy.target(live_peak), note=note)
    if result.target == 0:
        return result
    first, *later = sender.send(base_url, policy.paths, result.target, policy.timeout)
    served = [a for a in first if a.status == 200 and a.environment == color]
    result.answered = len(served)
    result.achieved = peak_in_flight(served)
    waves = [served, *[[a for a in wave if _reached_the_function(a)] for wave in later]]
    result.slowest_ms = max(((a.ended - a.started) * 1000 for wave in waves for a in wave), default=0.0)
    for path, answers, good in zip(policy.paths, [first, *later], waves, strict=True):
        for answer in answers:
            if answer not in good:
                why = answer.error or f"HTTP {answer.status} from {answer.environment or 'unknown'}"
                key = f"{path}: {why}"
                result.errors[key] = result.errors.get(key, 0) + 1
    result.seconds = clock() - started
    return result


def _reached_the_function(answer: WarmAnswer) -> bool:
    """An answer the function gave (a 404 will do), not a throttle (429), an error (5xx) or silence."""
    return answer.status is not None and answer.status < 500 and answer.status != 429


class HttpWarmSender:
    """Simultaneous GET /health, each on its own connection (one session per request), released together.

    Each connection is opened first by one request of the first path, outside the waves: a TLS handshake
    made after the barrier spreads the arrivals, and an environment that answered an early request then
    serves a late one, leaving fewer environments than requests (the local runtime's pool showed 4 after
    a wave of 5 that the client saw in flight together)."""

    def __init__(self, session_factory: Callable[[], requests.Session], clock: Callable[[], float]) -> None:
        self._session_factory = session_factory
        self._clock = clock

    def send(
        self, base_url: str, paths: Sequence[str], count: int, timeout: float
    ) -> Sequence[Sequence[WarmAnswer]]:
        urls = [f"{base_url.rstrip('/')}{path}" for path in paths]
        start_together = threading.Barrier(count)
        waves: list[list[WarmAnswer]] = [[] for _ in urls]
        lock = threading.Lock()

        def one() -> None:
            session = self._session_factory()
            self._get(session, urls[0])  # opens the connection; only the waves that follow are judged
            for url, answers in zip(urls, waves, strict=True):
                # A slow thread breaks the barrier: send anyway, the overlap says what was achieved.
                with contextlib.suppress(threading.BrokenBarrierError):
                    start_together.wait(timeout)
                answer = self._get(session, url)
                with lock:
                    answers.append(answer)
            session.close()

        threads = [threading.Thread(target=one, name=f"warm-{n}", daemon=True) for n in range(count)]
        for thread in threads:
            thread.start()
        deadline = self._clock() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - self._clock()))
        with lock:
            missing = WarmAnswer(0.0, 0.0, None, None, "no answer in time")
            return [[*answers, *[missing] * (count - len(answers))] for answers in waves]

    def _get(self, session: requests.Session, url: str) -> WarmAnswer:
        started = self._clock()
        try:
            # no-cache: a cached answer would not reach (nor start) an execution environment.
            response = session.get(url, headers={"Cache-Control": "no-cache"})
        except requests.RequestException as exc:
            return WarmAnswer(started, self._clock(), None, None, type(exc).__name__)
        ended = self._clock()
        try:
            body = response.json()
        except ValueError:
            body = None
        environment = body.get("environment") if isinstance(body, dict) else None
        return WarmAnswer(
            started, ended, response.status_code, environment if isinstance(environment, str) else None
        )
