"""The smoke suite against an in-memory API, and convergence polling with scripted probes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bluegreen.probe import Health, HttpHealthProber
from bluegreen.smoke import CheckResult, SmokeReport, SmokeSuite
from bluegreen.verify import Verification, bake_live, verify_live
from tests.unit.bluegreen.fakes import FakeApiSession, FakeClock, FakePetApi

BLUE_URL = "https://blue.execute-api.example/Prod"


def run(api: FakePetApi, color: str | None = "blue", version: str | None = "1.0.0") -> dict[str, str]:
    session = FakeApiSession({"blue.execute-api.example": api})
    report = SmokeSuite(session, expect_color=color, expect_version=version).run(BLUE_URL)
    return {r.name: ("PASS" if r.passed else f"FAIL {r.status} {r.detail}") for r in report.results}


def test_contract_conforming_api_passes_every_check() -> None:
    results = run(FakePetApi())
    assert results == dict.fromkeys(
        ["health", "list-pets", "order-available-pet", "order-unknown-pet", "order-bad-json", "unknown-path"],
        "PASS",
    )


@pytest.mark.parametrize(
    ("fault", "check", "expected"),
    [
        ("health-500", "health", "FAIL 502 expected HTTP 200"),
        ("pet-id-as-string", "list-pets", "FAIL 200 a pet lacks id:int"),
        ("lowercase-confirmation", "order-available-pet", "FAIL 201 confirmationNumber is not ORD-XXXXXXXX"),
        ("bad-json-502", "order-bad-json", "FAIL 502 expected a 4xx"),
        ("unknown-path-403", "unknown-path", "FAIL 403 expected HTTP 404"),
    ],
)
def test_each_contract_breach_fails_its_check(fault: str, check: str, expected: str) -> None:
    results = run(FakePetApi(faults={fault}))
    assert results[check].startswith(expected)
    failed = {name for name, value in results.items() if value != "PASS"}
    # Ordering needs an available pet from list-pets, so a broken list also fails the order check.
    assert failed == ({check, "order-available-pet"} if check == "list-pets" else {check})


def test_wrong_color_or_version_fails_identity_checks() -> None:
    results = run(FakePetApi(color="blue", version="1.0.0"), color="green", version=None)
    assert results["health"].startswith("FAIL 200 environment is not green")
    assert run(FakePetApi(), color=None, version="9.9.9")["list-pets"].startswith(
        "FAIL 200 version is not 9.9.9"
    )


def test_unreachable_host_fails_without_status() -> None:
    report = SmokeSuite(FakeApiSession({})).run(BLUE_URL)
    assert (
        not report.passed
        and report.results[0].status is None
        and report.results[0].detail == "ConnectionError"
    )


def test_prober_reduces_responses_to_health() -> None:
    session = FakeApiSession({"api.example.com": FakePetApi(color="green", version="2.0.0")})
    assert HttpHealthProber(session).health("https://api.example.com") == Health(True, 200, "green", "2.0.0")
    broken = FakeApiSession({"api.example.com": FakePetApi(faults={"health-500"})})
    assert not HttpHealthProber(broken).health("https://api.example.com").ok


def scripted(answers: list[str]) -> Callable[[], SmokeReport]:
    """Smoke rounds on the live hostname: a color that passes, `old` (blue answered), or `fail`."""
    rounds: Iterator[str] = iter(answers)

    def one_round() -> SmokeReport:
        answer = next(rounds)
        if answer == "fail":
            return SmokeReport("https://x", [CheckResult("order-available-pet", False, 500, 1.0)])
        passed = answer == "green"
        return SmokeReport("https://x", [CheckResult("health", passed, 200, 1.0)], environments={answer})

    return one_round


def verify(clock: FakeClock, answers: list[str], **overrides: Any) -> Verification:
    options: dict[str, Any] = {"consecutive": 3, "fail_after": 3, "timeout": 30, "interval": 0.5}
    options.update(overrides)
    return verify_live(
        scripted(answers), "green", clock=clock, sleep=clock.sleep, say=lambda line: None, **options
    )


def test_verification_needs_k_consecutive_passing_rounds_and_measures_from_the_streak_start(
    clock: FakeClock,
) -> None:
    result = verify(clock, ["blue", "green", "blue", "green", "green", "green"])
    assert result.converged and result.rounds == 6
    assert result.seconds == pytest.approx(1.5)
    assert (result.passed_rounds, result.other_color_rounds, result.failed_rounds) == (4, 2, 0)


def test_rounds_answered_by_the_previous_color_are_propagation_not_failures(clock: FakeClock) -> None:
    result = verify(clock, ["blue"] * 10 + ["green"] * 3)
    assert result.converged and not result.gave_up and result.failed_rounds == 0


def test_verification_gives_up_after_f_consecutive_failed_rounds(clock: FakeClock) -> None:
    result = verify(clock, ["green", "fail", "fail", "fail", "green"], fail_after=3)
    assert not result.converged and result.gave_up and result.rounds == 4
    assert result.seconds == pytest.approx(1.5)  # 4 rounds, not the 30 s timeout
    assert "gave up after 3 consecutive failed rounds" in result.summary()
    assert result.failed_checks == {"order-available-pet": 3}


def test_without_fail_fast_verification_runs_to_its_timeout(clock: FakeClock) -> None:
    result = verify(clock, ["fail"] * 100, fail_after=None, timeout=5)
    assert not result.converged and not result.gave_up and result.seconds >= 5
    assert "not verified within" in result.summary()


def test_bake_reports_progress_and_stops_at_the_first_alarm(clock: FakeClock) -> None:
    states = iter([{"a": "OK"}, {"a": "OK"}, {"a": "ALARM"}])
    lines: list[str] = []
    bake = bake_live(
        scripted(["green"] * 10),
        lambda names: next(states),
        ["a"],
        seconds=60,
        interval=5,
        fail_after=3,
        clock=clock,
        sleep=clock.sleep,
        say=lines.append,
    )
    assert bake.failure == "bake: alarm(s) in ALARM: a" and bake.rounds == 3
    assert lines[-1] == "  bake 10s/60s: round 3 pass; alarms: a=ALARM"


def test_a_timeout_is_not_a_broken_contract_but_a_wrong_answer_is() -> None:
    ok = CheckResult("list-pets", True, 200, 5.0)
    cold = SmokeReport("u", [CheckResult("health", False, None, 10000.0, "ReadTimeout"), ok])
    gateway_timeout = SmokeReport("u", [CheckResult("health", False, 504, 29000.0), ok])
    broken = SmokeReport(
        "u", [CheckResult("health", False, None, 10000.0), CheckResult("x", False, 502, 5.0)]
    )
    assert not cold.definitely_broken and not gateway_timeout.definitely_broken
    assert broken.definitely_broken


def test_smoke_report_names_the_colors_that_answered() -> None:
    session = FakeApiSession({"blue.execute-api.example": FakePetApi()})
    report = SmokeSuite(session, expect_color="green").run(BLUE_URL)
    assert not report.passed and report.environments == {"blue"}
