"""AWS/Lambda metrics per FunctionName, recorded by the runtime around each invoke.

Invocations counts every invoke that ran (errors included, throttles not), Errors the ones that ended in a
function error or timeout, Duration the run time, Throttles the invokes refused for lack of concurrency,
ConcurrentExecutions the invokes in flight when one starts (its Maximum is the peak).
Doc: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
"""

from __future__ import annotations

import threading

from localcloud.observability.metrics import MetricStore, series_key

NAMESPACE = "AWS/Lambda"


class LambdaMetrics:
    def __init__(self, store: MetricStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    def started(self, function_name: str) -> None:
        with self._lock:
            running = self._in_flight[function_name] = self._in_flight.get(function_name, 0) + 1
        self._put(function_name, "ConcurrentExecutions", running, "Count")

    def finished(self, function_name: str, duration_ms: float, *, error: bool) -> None:
        with self._lock:
            self._in_flight[function_name] = max(self._in_flight.get(function_name, 1) - 1, 0)
        dimensions = {"FunctionName": function_name}
        self._store.record_many(
            (
                (series_key(NAMESPACE, "Invocations", dimensions), 1.0, "Count"),
                (series_key(NAMESPACE, "Errors", dimensions), 1.0 if error else 0.0, "Count"),
                (series_key(NAMESPACE, "Duration", dimensions), duration_ms, "Milliseconds"),
            )
        )

    def throttled(self, function_name: str) -> None:
        self._put(function_name, "Throttles", 1, "Count")

    def _put(self, function_name: str, metric: str, value: float, unit: str) -> None:
        self._store.record_key(series_key(NAMESPACE, metric, {"FunctionName": function_name}), value, unit)
