"""Steady load through the live hostname while traffic switches, and what it saw.

Every response is recorded with the color that served it, so a run proves (or disproves) that no
request failed and that no request started after a switch completed was served by the old color.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Sequence
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
        host, _, port = self.connect_to.rpartition(":")
        connection = urllib3.HTTPSConnectionPool(
            host,
            int(port),
            maxsize=1,
            ca_certs=self.ca_bundle,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
        )
        path = target.path or "/"
        headers = {"Host": target.netloc}
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
    return Report(
        requests=len(ordered),
        failures=failures,
        stale_after_completion=stale,
        convergence_seconds=convergence,
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
        requests_per_second=len(ordered) / span if span > 0 else 0.0,
    )
