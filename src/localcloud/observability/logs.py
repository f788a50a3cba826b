"""Log lines into moto's CloudWatch Logs, batched by a background thread so no request waits on a write.

Callers append to an in-memory queue (a lock and a list append); every half second the flusher groups the
lines by log group and stream, creates what is missing (as Lambda does for its log groups) and calls
PutLogEvents once per stream with the events in time order.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from localcloud.extensions._moto import logs

log = logging.getLogger("localcloud.logs")

FLUSH_INTERVAL_S = 0.5
# PutLogEvents accepts at most 10,000 events per call.
_MAX_BATCH = 10_000
# Unbounded buffering would turn a stuck flusher into a memory leak: beyond this, lines are dropped.
_MAX_PENDING = 200_000


Destination = tuple[str, str, str, str]  # account, region, log group, log stream


class LogSink:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[tuple[Destination, int, str]] = []
        self._dropped = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def write(self, destination: Destination, message: str, timestamp_ms: int | None = None) -> None:
        stamp = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
        with self._lock:
            if len(self._pending) >= _MAX_PENDING:
                self._dropped += 1
                return
            self._pending.append((destination, stamp, message))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="logs-flusher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(FLUSH_INTERVAL_S)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # a bad batch must not end the flusher
                log.exception("writing log events failed")

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            dropped, self._dropped = self._dropped, 0
        if dropped:
            log.warning("%d log lines dropped: the log buffer was full", dropped)
        if not pending:
            return
        by_stream: dict[Destination, list[dict[str, Any]]] = defaultdict(list)
        for destination, stamp, message in pending:
            by_stream[destination].append({"timestamp": stamp, "message": message})
        for (account, region, group, stream), events in by_stream.items():
            events.sort(key=lambda event: event["timestamp"])  # stable: same-millisecond lines keep order
            backend = logs.logs_backends[account][region]
            _ensure_stream(backend, group, stream)
            for start in range(0, len(events), _MAX_BATCH):
                backend.put_log_events(group, stream, events[start : start + _MAX_BATCH])


def _ensure_stream(backend: Any, group: str, stream: str) -> None:
    found = backend.groups.get(group)
    if found is None:
        found = backend.create_log_group(group, {})
    if stream not in found.streams:
        backend.create_log_stream(group, stream)


_sink = LogSink()


def sink() -> LogSink:
    """The process-wide sink (the local cloud has one account and region)."""
    return _sink
