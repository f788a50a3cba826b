"""The smoke suite against an in-memory API, and convergence polling with scripted probes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bluegreen.probe import Health, HttpHealthProber
from bluegreen.smoke import SmokeSuite
from bluegreen.verify import wait_for_color
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


class ScriptedProber:
    def __init__(self, answers: list[str]) -> None:
        self._answers: Iterator[str] = iter(answers)

    def health(self, base_url: str) -> Health:
        color = next(self._answers)
        if color == "down":
            return Health(False, 502, None, None, "HTTP 502")
        return Health(True, 200, color, "v")


def test_convergence_needs_k_consecutive_answers_and_measures_from_the_streak_start(clock: FakeClock) -> None:
    prober = ScriptedProber(["blue", "green", "blue", "green", "green", "green"])
    result = wait_for_color(
        prober, "https://x", "green", consecutive=3, timeout=30, interval=0.5, clock=clock, sleep=clock.sleep
    )
    assert result.converged and result.probes == 6
    assert result.seconds == pytest.approx(1.5) and result.first_hit_seconds == pytest.approx(0.5)
    assert dict(result.seen) == {"blue": 2, "green": 4}


def test_convergence_times_out_when_the_target_keeps_failing(clock: FakeClock) -> None:
    prober = ScriptedProber(["green", "down"] * 50)
    result = wait_for_color(
        prober, "https://x", "green", consecutive=2, timeout=5, interval=0.5, clock=clock, sleep=clock.sleep
    )
    assert not result.converged and result.seconds >= 5 and result.last_error == "HTTP 502"
    assert "did not converge" in result.summary()
