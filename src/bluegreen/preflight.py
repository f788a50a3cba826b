"""The checks a switch runs before the flip that need more than the target's own URL: its smoke suite
through the live hostname behind the preview rule, and the data gate between the two releases.

A failure here refuses the switch. The preview rule is set and cleared through the same change-set path
as the switch (see bluegreen.preview); this module only asks and judges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from bluegreen.data_gate import DataGateResult, HttpResponse, run_data_gate
from bluegreen.smoke import SmokeReport, SmokeSuite
from bluegreen.stacks import ColorStack

PREVIEW_HEADER = "X-Bluegreen-Preview"


class BehindDomainChecks(Protocol):
    def preview_smoke(self, live_url: str, color: str, version: str) -> SmokeReport: ...
    def data_gate(self, target: ColorStack, live: ColorStack) -> DataGateResult: ...


class HttpBehindDomainChecks:
    """The real checks, over the tool's HTTP session (connect-to and CA bundle included)."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def preview_smoke(self, live_url: str, color: str, version: str) -> SmokeReport:
        suite = SmokeSuite(
            self._session,
            expect_color=color,
            expect_version=version or None,
            headers={PREVIEW_HEADER: color},
        )
        return suite.run(live_url)

    def data_gate(self, target: ColorStack, live: ColorStack) -> DataGateResult:
        return run_data_gate(
            target.endpoint,
            live.endpoint,
            lambda: _GateSession(self._session),
            target_name=f"{target.color} (target)",
            live_name=f"{live.color} (live)",
        )


class _GateSession:
    """The tool's session seen through the data gate's narrow HTTP interface."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse:
        return self._session.request(method, url, **kwargs)


@dataclass(frozen=True)
class PreviewSmoke:
    """What the preview smoke saw: rounds until the rule reached the hostname, and the last report."""

    passed: bool
    rounds: int
    seconds: float
    report: SmokeReport | None
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "rounds": self.rounds,
            "seconds": round(self.seconds, 3),
            "reason": self.reason,
            "smoke": self.report.to_dict() if self.report else None,
        }


def preview_smoke_until_served(
    run_round: Callable[[], SmokeReport],
    color: str,
    *,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    say: Callable[[str], None],
    heartbeat: Callable[[], None],
) -> PreviewSmoke:
    """Repeats the suite on the live hostname with the preview header until `color` answers it.

    A round answered by another color means the rule has not reached the hostname yet (retried); a round
    `color` answered and failed is a definite answer (refused at once); silence is retried to the deadline.
    """
    started = clock()
    deadline = started + timeout
    rounds = 0
    while True:
        rounds += 1
        heartbeat()
        report = run_round()
        served = report.environments == {color}
        if served and report.passed:
            for check in report.results:
                say(f"  {check.line()}")
            return PreviewSmoke(True, rounds, clock() - started, report)
        if served and report.definitely_broken:
            for check in report.results:
                say(f"  {check.line()}")
            names = ", ".join(check.name for check in report.failures)
            reason = f"smoke suite failed on the live hostname behind the preview rule: {names}"
            return PreviewSmoke(False, rounds, clock() - started, report, reason)
        if clock() >= deadline:
            seen = ", ".join(sorted(report.environments)) or "no answer"
            names = ", ".join(check.name for check in report.failures) or "none failed"
            reason = (
                f"the live hostname never served {color} behind the preview rule within {timeout:g}s "
                f"(last round: {seen}; failed: {names})"
            )
            return PreviewSmoke(False, rounds, clock() - started, report, reason)
        seen = ", ".join(sorted(report.environments)) or "no answer"
        say(f"  preview round {rounds}: answered by {seen}; waiting for the rule to reach the hostname")
        sleep(min(1.0, max(0.0, deadline - clock())))
