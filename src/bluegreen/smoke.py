"""The smoke suite: the few requests that prove a deployment of the pet store API serves its contract."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

CONFIRMATION = re.compile(r"^ORD-[0-9A-F]{8}$")
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
UNKNOWN_PET_ID = 987654321
# The suite's own orders are test traffic: the handlers store them as synthetic, out of business figures.
SYNTHETIC_ORDER = {"X-Synthetic-Order": "true"}


class CheckFailed(Exception):
    """One expectation of a check did not hold; the message says which (never the body)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    status: int | None
    ms: float
    detail: str = ""

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        status = str(self.status) if self.status is not None else "---"
        detail = f"  {self.detail}" if self.detail else ""
        return f"{verdict}  {self.name:<20} {status:>3}  {self.ms:7.1f} ms{detail}"


@dataclass
class SmokeReport:
    base_url: str
    results: list[CheckResult] = field(default_factory=list)
    environments: set[str] = field(default_factory=set)  # the colors that answered
    answers: set[tuple[str, str]] = field(default_factory=set)  # (color, version) pairs that answered

    def answered_by(self) -> str:
        """`green 2.0.0`, or every pair when more than one answered (a switch propagating)."""
        return ", ".join(f"{color} {version or '?'}" for color, version in sorted(self.answers)) or "nobody"

    @property
    def definitely_broken(self) -> bool:
        """A check failed on an answer that breaks the contract. Failures with no answer in time
        (connection error, timeout, 504) are not: a cold start or a network blip looks the same."""
        return any(result.status not in (None, 504) for result in self.failures)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [result for result in self.results if not result.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "passed": self.passed,
            "environments": sorted(self.environments),
            "answered_by": [{"color": c, "version": v} for c, v in sorted(self.answers)],
            "checks": [asdict(r) for r in self.results],
        }


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CheckFailed(
            f"body is not JSON (content-type {response.headers.get('content-type', '?')})"
        ) from None


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _expect_status(response: requests.Response, expected: int) -> None:
    _expect(response.status_code == expected, f"expected HTTP {expected}")


def _expect_message(body: Any) -> None:
    _expect(
        isinstance(body, dict) and isinstance(body.get("message"), str), "error body has no 'message' string"
    )


class SmokeSuite:
    """Runs every check against one base URL (a stage URL or the live custom domain).

    `headers` go on every request (the preview header, say), alongside each check's own.
    """

    def __init__(
        self,
        session: requests.Session,
        expect_color: str | None = None,
        expect_version: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._session = session
        self._headers = dict(headers or {})
        self._expect_color = expect_color
        self._expect_version = expect_version
        self._clock = clock
        self._available_pet: dict[str, Any] | None = None
        self._last_status: int | None = None
        self._seen: set[str] = set()
        self._answers: set[tuple[str, str]] = set()

    def run(self, base_url: str) -> SmokeReport:
        base = base_url.rstrip("/")
        self._available_pet = None
        self._seen = set()
        self._answers = set()
        report = SmokeReport(base_url=base)
        checks: list[tuple[str, Callable[[str], requests.Response]]] = [
            ("health", self._health),
            ("list-pets", self._pets),
            ("order-available-pet", self._order),
            ("order-unknown-pet", self._order_unknown),
            ("order-bad-json", self._order_bad_json),
            ("unknown-path", self._unknown_path),
        ]
        for name, check in checks:
            report.results.append(self._timed(name, check, base))
        report.environments = set(self._seen)
        report.answers = set(self._answers)
        return report

    def _timed(self, name: str, check: Callable[[str], requests.Response], base: str) -> CheckResult:
        started = self._clock()
        self._last_status = None
        try:
            response = check(base)
            return CheckResult(name, True, response.status_code, (self._clock() - started) * 1000)
        except CheckFailed as exc:
            return CheckResult(name, False, self._last_status, (self._clock() - started) * 1000, str(exc))
        except requests.RequestException as exc:
            return CheckResult(name, False, None, (self._clock() - started) * 1000, type(exc).__name__)

    def _send(
        self, method: str, url: str, headers: Mapping[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        merged = {**self._headers, **(headers or {})}
        if merged:
            kwargs["headers"] = merged
        response = self._session.request(method, url, **kwargs)
        self._last_status = response.status_code
        return response

    def _identity(self, body: dict[str, Any]) -> None:
        if isinstance(body.get("environment"), str):
            self._seen.add(body["environment"])
            version = body.get("version")
            self._answers.add((body["environment"], version if isinstance(version, str) else ""))
        if self._expect_color is not None:
            _expect(body.get("environment") == self._expect_color, f"environment is not {self._expect_color}")
        if self._expect_version is not None:
            _expect(body.get("version") == self._expect_version, f"version is not {self._expect_version}")

    def _health(self, base: str) -> requests.Response:
        response = self._send("GET", f"{base}/health")
        _expect_status(response, 200)
        body = _json(response)
        _expect(isinstance(body, dict) and body.get("status") == "healthy", "status is not 'healthy'")
        self._identity(body)
        _expect(
            isinstance(body.get("timestamp"), str) and bool(ISO_Z.match(body["timestamp"])),
            "timestamp is not ISO 8601 UTC",
        )
        return response

    def _pets(self, base: str) -> requests.Response:
        response = self._send("GET", f"{base}/pets")
        _expect_status(response, 200)
        body = _json(response)
        _expect(isinstance(body, dict) and isinstance(body.get("pets"), list), "no 'pets' list")
        self._identity(body)
        pets = body["pets"]
        _expect(len(pets) > 0, "pets list is empty")
        for pet in pets:
            _expect(
                isinstance(pet, dict)
                and type(pet.get("id")) is int
                and all(isinstance(pet.get(key), str) for key in ("name", "category", "status")),
                "a pet lacks id:int, name, category or status:str",
            )
        self._available_pet = next((pet for pet in pets if pet["status"] == "available"), None)
        return response

    def _order(self, base: str) -> requests.Response:
        if self._available_pet is None:
            raise CheckFailed("no available pet to order (list-pets failed or none available)")
        pet = self._available_pet
        response = self._send(
            "POST", f"{base}/orders", json={"id": pet["id"], "name": pet["name"]}, headers=SYNTHETIC_ORDER
        )
        _expect_status(response, 201)
        body = _json(response)
        _expect(isinstance(body, dict), "order body is not an object")
        _expect(
            bool(CONFIRMATION.match(str(body.get("confirmationNumber", "")))),
            "confirmationNumber is not ORD-XXXXXXXX",
        )
        data = body.get("data")
        _expect(isinstance(data, dict) and data.get("status") == "ordered", "data.status is not 'ordered'")
        _expect(isinstance(data, dict) and data.get("id") == pet["id"], "data.id is not the ordered pet")
        self._identity(body)
        return response

    def _order_unknown(self, base: str) -> requests.Response:
        response = self._send(
            "POST", f"{base}/orders", json={"id": UNKNOWN_PET_ID, "name": "Nobody"}, headers=SYNTHETIC_ORDER
        )
        _expect_status(response, 404)
        _expect_message(_json(response))
        return response

    def _order_bad_json(self, base: str) -> requests.Response:
        headers = {"Content-Type": "application/json", **SYNTHETIC_ORDER}
        response = self._send("POST", f"{base}/orders", data=b"{not json", headers=headers)
        _expect(400 <= response.status_code < 500, "expected a 4xx for a malformed body")
        _expect_message(_json(response))
        return response

    def _unknown_path(self, base: str) -> requests.Response:
        response = self._send("GET", f"{base}/no-such-resource")
        _expect_status(response, 404)
        _json(response)
        return response
