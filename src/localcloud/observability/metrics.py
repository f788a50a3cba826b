"""The metrics AWS services publish on their own (AWS/ApiGateway, AWS/Lambda), kept in per-second buckets.

Recording is a dictionary update under a lock: the data plane records on every request, so nothing here
may cost more than a few microseconds. Percentiles come from a logarithmic histogram per bucket (about 1 %
relative error), the way CloudWatch itself answers percentiles approximately.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SeriesKey = tuple[str, str, tuple[tuple[str, str], ...]]

# CloudWatch keeps data points with a period under 60 s for 3 hours.
RETENTION_S = 3 * 3600
_GROWTH = 1.02
_LOG_GROWTH = math.log(_GROWTH)
_ZERO = -(10**6)  # histogram slot for values <= 0
STANDARD_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


def series_key(namespace: str, metric: str, dimensions: Mapping[str, str]) -> SeriesKey:
    return namespace, metric, tuple(sorted(dimensions.items()))


def _slot(value: float) -> int:
    return _ZERO if value <= 0 else math.floor(math.log(value) / _LOG_GROWTH)


@dataclass
class Aggregate:
    """SampleCount, Sum, Minimum, Maximum and a histogram of the values of one series over some time."""

    count: float = 0.0
    total: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    histogram: dict[int, float] = field(default_factory=dict)

    def add(self, value: float, count: float = 1.0) -> None:
        self.count += count
        self.total += value * count
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value
        slot = _slot(value)
        self.histogram[slot] = self.histogram.get(slot, 0.0) + count

    def merge(self, other: Aggregate) -> None:
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)
        for slot, count in other.histogram.items():
            self.histogram[slot] = self.histogram.get(slot, 0.0) + count

    def percentile(self, p: float) -> float:
        """The p-th percentile (0..100): the histogram slot holding it, clipped to the observed range."""
        rank = self.count * p / 100.0
        seen = 0.0
        for slot in sorted(self.histogram):
            seen += self.histogram[slot]
            if seen >= rank:
                value = 0.0 if slot == _ZERO else _GROWTH ** (slot + 0.5)
                return min(max(value, self.minimum), self.maximum)
        return self.maximum

    def statistic(self, name: str) -> float | None:
        """A CloudWatch statistic by name: SampleCount, Sum, Average, Minimum, Maximum or pNN(.N)."""
        if self.count <= 0:
            return None
        if name == "SampleCount":
            return self.count
        if name == "Sum":
            return self.total
        if name == "Average":
            return self.total / self.count
        if name == "Minimum":
            return self.minimum
        if name == "Maximum":
            return self.maximum
        p = percentile_of(name)
        return None if p is None else self.percentile(p)


def percentile_of(statistic: str) -> float | None:
    """50.0 for "p50", 99.9 for "p99.9"; None when the name is not a percentile CloudWatch accepts."""
    if not statistic.startswith("p"):
        return None
    try:
        value = float(statistic[1:])
    except ValueError:
        return None
    return value if 0.0 <= value <= 100.0 else None


def is_statistic(name: str) -> bool:
    return name in STANDARD_STATISTICS or percentile_of(name) is not None


@dataclass(frozen=True)
class Datapoint:
    timestamp: int  # start of the period, epoch seconds
    aggregate: Aggregate
    unit: str | None


class MetricStore:
    """Per-second aggregates per series (namespace, metric name, exact dimension set)."""

    def __init__(self, clock: Any = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._series: dict[SeriesKey, dict[int, Aggregate]] = {}
        self._units: dict[SeriesKey, str] = {}
        self.generation = 0  # bumped by every record: tells the snapshotter that something changed

    def record(
        self, namespace: str, metric: str, dimensions: Mapping[str, str], value: float, unit: str
    ) -> None:
        self.record_key(series_key(namespace, metric, dimensions), value, unit)

    def record_key(self, key: SeriesKey, value: float, unit: str, at: float | None = None) -> None:
        self.record_many(((key, value, unit),), at)

    def record_many(self, points: Iterable[tuple[SeriesKey, float, str]], at: float | None = None) -> None:
        """Several values at once (one clock read, one lock): what one request or invoke produces."""
        second = int(self._clock() if at is None else at)
        with self._lock:
            for key, value, unit in points:
                buckets = self._series.get(key)
                if buckets is None:
                    buckets = self._series[key] = {}
                    self._units[key] = unit
                bucket = buckets.get(second)
                if bucket is None:
                    bucket = buckets[second] = Aggregate()
                bucket.add(value)
            self.generation += 1

    def clear(self) -> None:
        with self._lock:
            self._series.clear()
            self._units.clear()

    def series(self, namespace: str | None = None) -> list[SeriesKey]:
        with self._lock:
            return [key for key in self._series if namespace is None or key[0] == namespace]

    def namespaces(self) -> set[str]:
        with self._lock:
            return {key[0] for key in self._series}

    def query(self, key: SeriesKey, start: float, end: float, period: int) -> list[Datapoint]:
        """One aggregate per period (aligned to the epoch) that has data in [start, end), oldest first."""
        with self._lock:
            buckets = self._series.get(key)
            if not buckets:
                return []
            seconds = [(s, a) for s, a in buckets.items() if start <= s < end]
            unit = self._units.get(key)
            merged: dict[int, Aggregate] = {}
            for second, aggregate in seconds:
                period_start = second - second % period
                target = merged.get(period_start)
                if target is None:
                    target = merged[period_start] = Aggregate()
                target.merge(aggregate)
        return [Datapoint(ts, merged[ts], unit) for ts in sorted(merged)]

    def prune(self, now: float | None = None) -> None:
        oldest = int((self._clock() if now is None else now) - RETENTION_S)
        with self._lock:
            for key in list(self._series):
                buckets = self._series[key]
                for second in [s for s in buckets if s < oldest]:
                    del buckets[second]
                if not buckets:
                    del self._series[key]
                    self._units.pop(key, None)

    def export(self) -> dict[str, Any]:
        """A plain snapshot (for persistence): series -> unit and buckets."""
        with self._lock:
            return {
                "series": [
                    {
                        "key": [key[0], key[1], [list(d) for d in key[2]]],
                        "unit": self._units.get(key),
                        "buckets": {
                            str(s): [a.count, a.total, a.minimum, a.maximum, list(a.histogram.items())]
                            for s, a in buckets.items()
                        },
                    }
                    for key, buckets in self._series.items()
                ]
            }

    def load(self, snapshot: Mapping[str, Any]) -> None:
        with self._lock:
            for entry in snapshot.get("series", []):
                namespace, metric, dimensions = entry["key"]
                key: SeriesKey = (namespace, metric, tuple((str(n), str(v)) for n, v in dimensions))
                buckets = self._series.setdefault(key, {})
                self._units[key] = entry.get("unit") or "None"
                for second, (count, total, low, high, histogram) in entry["buckets"].items():
                    buckets[int(second)] = Aggregate(
                        count, total, low, high, {int(s): float(c) for s, c in histogram}
                    )


def matching_series(
    store: MetricStore,
    namespace: str | None,
    metric: str | None,
    dimensions: Iterable[tuple[str, str | None]],
) -> list[SeriesKey]:
    """ListMetrics' filter: namespace and name if given; each dimension present (any value if None)."""
    wanted = list(dimensions)
    found = []
    for key in store.series(namespace):
        if metric and key[1] != metric:
            continue
        have = dict(key[2])
        if all(name in have and (value is None or have[name] == value) for name, value in wanted):
            found.append(key)
    return found
