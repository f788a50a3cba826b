"""The data gate: before the flip, prove both releases read each other's orders in the shared table.

An order placed through the target color's own URL is read back through the live color's own URL, and
one placed through the live color is read back through the target: the new release must read the old
release's orders and the old release the new one's, or a rollback would strand them. Gate orders are
marked synthetic (the X-Synthetic-Order header, stored as `synthetic: true` and counted apart from
OrdersPlaced) and carry an Idempotency-Key, so a retried gate never places a second order.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

SYNTHETIC_HEADER = "X-Synthetic-Order"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# What every release answers for an order and must answer identically, whoever placed it.
ORDER_FIELDS = ("confirmationNumber", "environment", "version", "timestamp", "data")


class HttpResponse(Protocol):
    status_code: int

    def json(self) -> Any: ...


class HttpSession(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> HttpResponse: ...


class GateStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class GateStep:
    """One request of the gate, kept with the result so a refusal shows what was asked and answered."""

    name: str
    url: str
    status: int | None
    ms: float
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class DataGateResult:
    status: GateStatus
    reason: str
    steps: tuple[GateStep, ...] = ()
    confirmation_numbers: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status is GateStatus.PASSED

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value, "passed": self.passed}


class _GateFailed(Exception):
    """A step did not hold; the message is the reason the switch is refused."""


@dataclass
class _Run:
    session: HttpSession
    clock: Callable[[], float]
    new_key: Callable[[], str]
    steps: list[GateStep] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    def send(self, name: str, method: str, url: str, expect: int, **kwargs: Any) -> Any:
        started = self.clock()
        try:
            response = self.session.request(method, url, timeout=10, **kwargs)
        except Exception as error:  # any transport failure refuses the switch, with its type
            self._record(name, url, None, started, False, type(error).__name__)
            raise _GateFailed(f"{name}: {type(error).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != expect or not isinstance(body, dict):
            detail = f"HTTP {response.status_code}, expected {expect}" + (
                "" if body is not None else ", not JSON"
            )
            message = body.get("message") if isinstance(body, dict) else None
            if isinstance(message, str):
                detail += f": {message[:200]}"
            self._record(name, url, response.status_code, started, False, detail)
            raise _GateFailed(f"{name}: {detail}")
        self._record(name, url, response.status_code, started, True)
        return body

    def _record(
        self, name: str, url: str, status: int | None, started: float, ok: bool, detail: str = ""
    ) -> None:
        ms = (self.clock() - started) * 1000
        self.steps.append(GateStep(name, url, status, round(ms, 1), ok, detail))

    def place_and_read(self, placer: tuple[str, str], reader: tuple[str, str]) -> None:
        (placer_name, placer_url), (reader_name, reader_url) = placer, reader
        pets = self.send(f"list pets on {placer_name}", "GET", f"{placer_url}/pets", 200).get("pets")
        candidates = pets if isinstance(pets, list) else []
        pet = next((p for p in candidates if isinstance(p, dict) and p.get("status") == "available"), None)
        if pet is None:
            raise _GateFailed(f"list pets on {placer_name}: no available pet to order")
        headers = {SYNTHETIC_HEADER: "true", IDEMPOTENCY_HEADER: self.new_key()}
        placed = self.send(
            f"place on {placer_name}",
            "POST",
            f"{placer_url}/orders",
            201,
            json={"id": pet.get("id"), "name": pet.get("name")},
            headers=headers,
        )
        number = placed.get("confirmationNumber")
        if not isinstance(number, str) or not number:
            raise _GateFailed(f"place on {placer_name}: the answer has no confirmationNumber")
        self.numbers.append(number)
        read = self.send(f"read on {reader_name}", "GET", f"{reader_url}/orders/{number}", 200)
        differing = [name for name in ORDER_FIELDS if read.get(name) != placed.get(name)]
        differing += [
            name for name in set(read) & set(placed) - set(ORDER_FIELDS) if read[name] != placed[name]
        ]
        if differing:
            fields = ", ".join(sorted(differing))
            raise _GateFailed(
                f"read on {reader_name}: order {number} placed on {placer_name} differs in {fields}"
            )


def run_data_gate(
    target_url: str,
    live_url: str,
    session_factory: Callable[[], HttpSession],
    *,
    target_name: str = "target",
    live_name: str = "live",
    clock: Callable[[], float] = time.perf_counter,
    new_key: Callable[[], str] = lambda: f"data-gate-{uuid.uuid4()}",
) -> DataGateResult:
    """Place through the target and read through the live color, and the reverse; never raises.

    The two directions are independent (each reads back only its own order), so they run side by side,
    each on a session of its own (a requests session is not thread-safe): the gate takes three round trips,
    not six. Steps and numbers are reported direction by direction, and the first direction's failure is
    the reason when both fail."""
    target = (target_name, target_url.rstrip("/"))
    live = (live_name, live_url.rstrip("/"))
    runs = [_Run(session=session_factory(), clock=clock, new_key=new_key) for _ in range(2)]
    failures: list[str | None] = [None, None]
    errors: list[BaseException] = []

    def direction(index: int, placer: tuple[str, str], reader: tuple[str, str]) -> None:
        try:
            runs[index].place_and_read(placer, reader)
        except _GateFailed as failure:
            failures[index] = str(failure)
        except BaseException as exc:  # a bug, not a refusal: raised in the caller's thread below
            errors.append(exc)

    reverse = threading.Thread(target=direction, args=(1, live, target), daemon=True)
    reverse.start()
    direction(0, target, live)
    reverse.join()
    if errors:
        raise errors[0]
    steps = tuple(step for run in runs for step in run.steps)
    numbers = tuple(number for run in runs for number in run.numbers)
    reason = next((failure for failure in failures if failure is not None), None)
    if reason is not None:
        return DataGateResult(GateStatus.FAILED, reason, steps, numbers)
    return DataGateResult(GateStatus.PASSED, "", steps, numbers)


def describe(result: DataGateResult) -> str:
    """One line for the operator."""
    if result.passed:
        return f"data gate passed: orders {', '.join(result.confirmation_numbers)} read across both colors"
    return f"data gate failed: {result.reason}"
