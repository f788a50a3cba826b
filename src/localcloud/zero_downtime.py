"""Steady load through the live hostname while traffic switches, and what it saw.

Every response is recorded with the color that served it, so a run proves (or disproves) that no
request failed and that no request started after a switch completed was served by the old color.
Orders placed meanwhile are read back afterwards: none may be lost, none placed twice.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import urllib3


@dataclass(frozen=True)
class Sample:
    started: float  # wall clock (time.time), comparable with CloudFormation event timestamps
    seconds: float
    status: int | None  # None: the request did not get a response
    color: str | None


@dataclass(frozen=True)
class Switch:
    previous: str
    target: str
    started: float  # the switch command began (preflight, lock, change set...)
    executed: float  # CloudFormation began updating the custom-domain stack
    completed: float  # CloudFormation reported the custom-domain stack UPDATE_COMPLETE


@dataclass
class LiveLoad:
    """`clients` threads, each with its own keep-alive connection, GET `url` until stopped.

    Requests go to `connect_to` (host:port) with the URL's hostname for Host, SNI and the certificate
    check, as `curl --connect-to` does. The client is plain urllib3: on a 2-core machine the load
    generator shares the CPU with what it measures, and `requests` costs about 1.7 ms of it a request.
    """

    url: str
    clients: int
    connect_to: str
    ca_bundle: str
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)  # on every request (a preview header, say)
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> LiveLoad:
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, name=f"load-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 5)

    def _client(self) -> None:
        target = urlsplit(self.url)
        connection = _connection(self.url, self.connect_to, self.ca_bundle)
        path = target.path or "/"
        headers = {**self.headers, "Host": target.netloc}
        local: list[Sample] = []
        while not self._stop.is_set():
            local.append(self._one(connection, path, headers))
        connection.close()
        with self._lock:
            self.samples.extend(local)

    def _one(self, connection: urllib3.HTTPSConnectionPool, path: str, headers: dict[str, str]) -> Sample:
        started, tick = time.time(), time.perf_counter()
        try:
            response = connection.request("GET", path, headers=headers, timeout=self.timeout, retries=False)
            return Sample(started, time.perf_counter() - tick, response.status, _color_of(response.data))
        except urllib3.exceptions.HTTPError:
            return Sample(started, time.perf_counter() - tick, None, None)


def _connection(url: str, connect_to: str, ca_bundle: str) -> urllib3.HTTPSConnectionPool:
    """A keep-alive connection to connect_to (host:port), with url's hostname for SNI and certificate."""
    hostname = urlsplit(url).hostname
    host, _, port = connect_to.rpartition(":")
    return urllib3.HTTPSConnectionPool(
        host, int(port), maxsize=1, ca_certs=ca_bundle, server_hostname=hostname, assert_hostname=hostname
    )


def _color_of(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    color = document.get("environment") if isinstance(document, dict) else None
    return color if isinstance(color, str) else None


@dataclass(frozen=True)
class Report:
    requests: int
    failures: int
    stale_after_completion: int
    convergence_seconds: list[float]
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    # Latency of the requests that started within POST_SWITCH_SECONDS of a flip (a cold target shows here).
    post_switch_requests: int = 0
    post_switch_p99_ms: float = float("nan")
    post_switch_max_ms: float = float("nan")
    post_switch_max_at: str = ""  # which switch the slowest of them followed, and how long after its flip

    def lines(self) -> list[str]:
        conv = self.convergence_seconds
        return [
            f"requests                         {self.requests}",
            f"failures (non-2xx or no answer)  {self.failures}",
            f"old color after switch complete  {self.stale_after_completion}",
            f"switches                         {len(conv)}",
            "convergence s (median / max)     "  # from the stack update's start
            + (f"{statistics.median(conv):.3f} / {max(conv):.3f}" if conv else "n/a"),
            f"latency ms (p50 / p99)           {self.p50_ms:.2f} / {self.p99_ms:.2f}",
            f"requests per second              {self.requests_per_second:.0f}",
        ]


POST_SWITCH_SECONDS = 10.0


def post_switch_latencies(samples: Sequence[Sample], switches: Sequence[Switch]) -> list[float]:
    """Milliseconds of the answered requests that started within POST_SWITCH_SECONDS after a switch's stack
    update began (the flip), each counted once however many windows hold it; sorted."""
    flips = sorted(switch.executed for switch in switches)
    chosen = [
        s.seconds * 1000
        for s in samples
        if s.status is not None and any(flip <= s.started < flip + POST_SWITCH_SECONDS for flip in flips)
    ]
    return sorted(chosen)


def slowest_after_flip(samples: Sequence[Sample], switches: Sequence[Switch]) -> str:
    """Where the slowest post-switch answer was: "switch N (blue -> green), +S s" after the latest flip
    before it; "" when no answered request started in a window."""
    flips = sorted(enumerate(switches, start=1), key=lambda item: item[1].executed)
    slowest: tuple[float, int, Switch, float] | None = None
    for sample in samples:
        if sample.status is None:
            continue
        before = [(number, switch) for number, switch in flips if switch.executed <= sample.started]
        if not before or sample.started >= before[-1][1].executed + POST_SWITCH_SECONDS:
            continue
        number, switch = before[-1]
        if slowest is None or sample.seconds > slowest[0]:
            slowest = (sample.seconds, number, switch, sample.started - switch.executed)
    if slowest is None:
        return ""
    _, number, switch, offset = slowest
    return f"switch {number} ({switch.previous} -> {switch.target}), +{offset:.2f} s"


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def analyse(samples: Sequence[Sample], switches: Sequence[Switch]) -> Report:
    ordered = sorted(samples, key=lambda s: s.started)
    failures = sum(1 for s in ordered if s.status is None or not 200 <= s.status < 300)
    stale = 0
    convergence: list[float] = []
    for index, switch in enumerate(switches):
        window_end = switches[index + 1].started if index + 1 < len(switches) else float("inf")
        window = [s for s in ordered if switch.started <= s.started < window_end]
        stale += sum(1 for s in window if s.started >= switch.completed and s.color == switch.previous)
        last_old = max((s.started for s in window if s.color != switch.target), default=None)
        settled = [s for s in window if last_old is None or s.started > last_old]
        first_new_after = next((s.started for s in settled if s.color == switch.target), None)
        if first_new_after is not None:
            convergence.append(max(0.0, first_new_after - switch.executed))
    latencies = sorted(s.seconds * 1000 for s in ordered if s.status is not None)
    span = (ordered[-1].started + ordered[-1].seconds - ordered[0].started) if ordered else 0.0
    after_flips = post_switch_latencies(ordered, switches)
    return Report(
        requests=len(ordered),
        failures=failures,
        stale_after_completion=stale,
        convergence_seconds=convergence,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        requests_per_second=len(ordered) / span if span > 0 else 0.0,
        post_switch_requests=len(after_flips),
        post_switch_p99_ms=_percentile(after_flips, 0.99),
        post_switch_max_ms=after_flips[-1] if after_flips else float("nan"),
        post_switch_max_at=slowest_after_flip(ordered, switches),
    )


# --- Orders across switches -------------------------------------------------------------------

ORDER_BODY = json.dumps({"id": 1, "name": "Buddy"}).encode()  # a pet both releases sell
_ORDER_RETRIES = 3


@dataclass(frozen=True)
class OrderAttempt:
    """One intended order: its Idempotency-Key and every confirmation number an answer carried."""

    key: str
    confirmation_numbers: tuple[str, ...]  # one per 201 answer; every answer to one key must repeat it
    placed: bool


@dataclass
class OrderLoad:
    """One client placing orders through the live hostname until stopped, as a careful client does:
    each order has its own Idempotency-Key, and a failed attempt is retried with the same key. Each
    placed order is sent once more with its key, as by a client whose answer was lost: both answers
    must carry the same number. Orders are marked synthetic (X-Synthetic-Order): never sales."""

    base_url: str
    connect_to: str
    ca_bundle: str
    timeout: float = 10.0
    pause_seconds: float = 0.05
    attempts: list[OrderAttempt] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> OrderLoad:
        self._thread = threading.Thread(target=self._client, name="orders", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=(self.timeout + 1) * _ORDER_RETRIES + 5)

    def _client(self) -> None:
        connection = _connection(self.base_url, self.connect_to, self.ca_bundle)
        target = urlsplit(self.base_url)
        path = f"{target.path.rstrip('/')}/orders"
        while not self._stop.is_set():
            key = f"bench-{uuid.uuid4()}"
            headers = {
                "Host": target.netloc,
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "X-Synthetic-Order": "true",
            }
            numbers: list[str] = []
            for _ in range(_ORDER_RETRIES):
                number = self._place(connection, path, headers)
                if number is not None:
                    numbers.append(number)
                    break
            if numbers:
                repeated = self._place(connection, path, headers)
                numbers += [repeated] if repeated is not None else []
            self.attempts.append(OrderAttempt(key, tuple(numbers), bool(numbers)))
            self._stop.wait(self.pause_seconds)
        connection.close()

    def _place(
        self, connection: urllib3.HTTPSConnectionPool, path: str, headers: dict[str, str]
    ) -> str | None:
        try:
            response = connection.request(
                "POST", path, body=ORDER_BODY, headers=headers, timeout=self.timeout, retries=False
            )
        except urllib3.exceptions.HTTPError:
            return None
        if response.status != 201:
            return None
        return _confirmation_number(response.data)


def _confirmation_number(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    number = document.get("confirmationNumber") if isinstance(document, dict) else None
    return number if isinstance(number, str) else None


def read_orders_back(
    base_url: str, connect_to: str, ca_bundle: str, numbers: Iterable[str], timeout: float = 10.0
) -> Callable[[str], bool]:
    """GET /orders/{number} for each number through the live hostname; returns `is this order stored?`."""
    connection = _connection(base_url, connect_to, ca_bundle)
    target = urlsplit(base_url)
    found: set[str] = set()
    for number in set(numbers):
        try:
            response = connection.request(
                "GET",
                f"{target.path.rstrip('/')}/orders/{number}",
                headers={"Host": target.netloc},
                timeout=timeout,
                retries=False,
            )
        except urllib3.exceptions.HTTPError:
            continue
        if response.status == 200 and _confirmation_number(response.data) == number:
            found.add(number)
    connection.close()
    return found.__contains__


@dataclass(frozen=True)
class OrderAudit:
    placed: int  # intended orders that got a confirmation number
    unplaced: int  # intended orders that got none after every retry (the client knows; not lost)
    lost: int  # confirmed orders that cannot be read back (goal 0)
    duplicated: int  # intended orders confirmed under two numbers, or numbers shared by two (goal 0)

    def lines(self) -> list[str]:
        return [
            f"orders placed                    {self.placed}",
            f"orders lost (goal 0)             {self.lost}",
            f"orders duplicated (goal 0)       {self.duplicated}",
            f"orders not placed after retries  {self.unplaced}",
        ]

    @property
    def held(self) -> bool:
        return self.lost == 0 and self.duplicated == 0


def audit_orders(attempts: Sequence[OrderAttempt], is_stored: Callable[[str], bool]) -> OrderAudit:
    owners: dict[str, int] = {}
    duplicated = 0
    for attempt in attempts:
        distinct = set(attempt.confirmation_numbers)
        if len(distinct) > 1:
            duplicated += 1
        for number in distinct:
            owners[number] = owners.get(number, 0) + 1
    duplicated += sum(1 for count in owners.values() if count > 1)
    placed = [attempt for attempt in attempts if attempt.placed]
    lost = sum(1 for number in owners if not is_stored(number))
    return OrderAudit(
        placed=len(placed), unplaced=len(attempts) - len(placed), lost=lost, duplicated=duplicated
    )
