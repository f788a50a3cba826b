"""The data gate refuses a switch unless each release reads the orders the other one places.

The HTTP session is a stub: requests to a color's URL are turned into API Gateway events and handed to
that color's real handler, in process (moto tables, no socket); faults are injected per URL and path.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from bluegreen.data_gate import GateStatus, describe, run_data_gate
from tests.events import make_event
from tests.handler_loader import invoke, load_bundle
from tests.order_tables import stored_order

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

BLUE_URL = "https://blue.example/v1"
GREEN_URL = "https://green.example/v2"


@dataclass
class StubResponse:
    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


Fault = Callable[[str, str], StubResponse | None]


@dataclass
class HandlerSession:
    """Routes each request to the bundle serving its base URL; a fault may answer instead. The gate's two
    directions send side by side; the in-process handlers take one request at a time, as one worker does."""

    faults: list[Fault] = field(default_factory=list)
    sent: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _serving: threading.Lock = field(default_factory=threading.Lock)

    def request(self, method: str, url: str, **kwargs: Any) -> StubResponse:
        with self._serving:
            return self._request(method, url, **kwargs)

    def _request(self, method: str, url: str, **kwargs: Any) -> StubResponse:
        headers = dict(kwargs.get("headers") or {})
        self.sent.append((method, url, headers))
        for fault in self.faults:
            answer = fault(method, url)
            if answer is not None:
                return answer
        base, color = (BLUE_URL, "blue") if url.startswith(BLUE_URL) else (GREEN_URL, "green")
        body = json.dumps(kwargs["json"]) if "json" in kwargs else None
        if body is not None:
            headers["Content-Type"] = "application/json"
        reply = invoke(
            load_bundle(color), make_event(method, url.removeprefix(base), body=body, headers=headers)
        )
        return StubResponse(reply.status, reply.body)


def gate(session: HandlerSession, target: str = GREEN_URL, live: str = BLUE_URL) -> Any:
    return run_data_gate(target, live, lambda: session, target_name="green", live_name="blue")


def test_the_gate_passes_when_each_release_reads_the_others_orders() -> None:
    # GIVEN blue live and green the target, both on the shared orders table
    session = HandlerSession()
    # WHEN the gate runs
    result = gate(session)
    # THEN it placed one order on each color, read each back on the other, and passed
    assert result.status is GateStatus.PASSED, result.reason
    assert [step.name for step in result.steps] == [
        "list pets on green",
        "place on green",
        "read on blue",
        "list pets on blue",
        "place on blue",
        "read on green",
    ]
    assert len(result.confirmation_numbers) == 2
    assert "passed" in describe(result)


def test_gate_orders_are_stored_as_synthetic_and_keyed() -> None:
    session = HandlerSession()
    result = gate(session)
    for number in result.confirmation_numbers:
        item = stored_order(number)
        assert item is not None and item["synthetic"] == {"BOOL": True}
    posts = [headers for method, _, headers in session.sent if method == "POST"]
    assert all(
        h["X-Synthetic-Order"] == "true" and h["Idempotency-Key"].startswith("data-gate-") for h in posts
    )


def answer(status: int, body: Any) -> StubResponse:
    return StubResponse(status, body if isinstance(body, str) else json.dumps(body))


def on(method: str, url_part: str, response: StubResponse) -> Fault:
    return lambda m, url: response if m == method and url_part in url else None


def test_the_gate_fails_when_the_live_color_cannot_find_the_targets_order() -> None:
    # GIVEN the live color reads another table than the target writes (its reads find nothing)
    session = HandlerSession([on("GET", f"{BLUE_URL}/orders/", answer(404, {"message": "Order not found"}))])
    result = gate(session)
    # THEN the switch is refused, naming the step and the answer; the reverse direction (run side by side)
    # passed and is reported after it
    assert result.status is GateStatus.FAILED
    assert result.reason == "read on blue: HTTP 404, expected 200: Order not found"
    assert [(step.name, step.ok) for step in result.steps] == [
        ("list pets on green", True),
        ("place on green", True),
        ("read on blue", False),
        ("list pets on blue", True),
        ("place on blue", True),
        ("read on green", True),
    ]


def test_the_gate_fails_when_a_release_answers_an_order_differently() -> None:
    def rewritten(method: str, url: str) -> StubResponse | None:
        if method == "GET" and url.startswith(f"{GREEN_URL}/orders/"):
            number = url.rsplit("/", 1)[-1]
            real = HandlerSession().request("GET", url).json()
            return answer(
                200, {**real, "confirmationNumber": number, "data": {**real["data"], "name": "Renamed"}}
            )
        return None

    result = gate(HandlerSession([rewritten]))
    assert result.status is GateStatus.FAILED
    assert result.reason.startswith("read on green: order ORD-") and result.reason.endswith("differs in data")


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (
            on("POST", GREEN_URL, answer(502, {"message": "Internal server error"})),
            "place on green: HTTP 502",
        ),
        (on("POST", GREEN_URL, answer(201, "<html>")), "place on green: HTTP 201, expected 201, not JSON"),
        (
            on("POST", GREEN_URL, answer(201, {"data": {}})),
            "place on green: the answer has no confirmationNumber",
        ),
        (on("GET", f"{GREEN_URL}/pets", answer(200, {"pets": []})), "list pets on green: no available pet"),
        (on("GET", f"{GREEN_URL}/pets", answer(200, {"pets": 3})), "list pets on green: no available pet"),
    ],
)
def test_every_bad_answer_refuses_with_its_reason(fault: Fault, reason: str) -> None:
    result = gate(HandlerSession([fault]))
    assert result.status is GateStatus.FAILED
    assert result.reason.startswith(reason), result.reason
    assert describe(result) == f"data gate failed: {result.reason}"


def test_a_transport_error_refuses_without_raising() -> None:
    def unreachable(method: str, url: str) -> StubResponse | None:
        if url.startswith(BLUE_URL):
            raise ConnectionError("connection refused")
        return None

    result = gate(HandlerSession([unreachable]))
    assert result.status is GateStatus.FAILED
    assert result.reason == "read on blue: ConnectionError"
    assert result.steps[-1].status is None and not result.steps[-1].ok
    assert result.to_dict()["passed"] is False
