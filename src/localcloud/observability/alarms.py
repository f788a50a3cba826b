"""Metric alarms evaluated as CloudWatch evaluates them, on a background thread.

Each alarm is evaluated once per period (at most once a minute for periods of a minute or more) right
after a period ends: the last EvaluationPeriods complete periods are read with the alarm's Statistic or
ExtendedStatistic, each value is compared with the threshold, and DatapointsToAlarm of them breaching
sets ALARM. Missing periods follow TreatMissingData: breaching / notBreaching count as such; missing
and ignore leave them out, and when every period is missing the alarm goes to INSUFFICIENT_DATA
(missing) or keeps its state (ignore). A state change carries CloudWatch's reason text and JSON reason
data and adds a StateUpdate history item.
Docs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
      https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.observability.cloudwatch_api import SERVICE_NAMESPACES, history_item
from localcloud.observability.metrics import Aggregate, MetricStore, series_key

log = logging.getLogger("localcloud.alarms")

# A period's last requests may still be in flight when it ends: read it this long after its end.
SETTLE_S = 1.0
TICK_S = 0.5

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_WORDS = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


@dataclass(frozen=True)
class Evaluation:
    state: str | None  # None: keep the current state
    reason: str
    reason_data: dict[str, Any]


def _stamp(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _short(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%d/%m/%y %H:%M:%S")


def evaluate(
    alarm: Any, values: list[tuple[int, float | None]], now: float, current_state: str
) -> Evaluation:
    """Decide the state from the last N periods (oldest first; None = no data in that period)."""
    n = len(values)
    m = int(alarm.datapoints_to_alarm or n)
    threshold = float(alarm.threshold)
    compare = _COMPARE[alarm.comparison_operator]
    treat = alarm.treat_missing_data or "missing"
    statistic = alarm.extended_statistic or alarm.statistic
    present = [(ts, v) for ts, v in values if v is not None]
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": _stamp(now),
        "startDate": _stamp(values[0][0]) if values else _stamp(now),
        "statistic" if alarm.statistic else "extendedStatistic": statistic,
        "period": int(alarm.period),
        "recentDatapoints": [v for _, v in present],
        "threshold": threshold,
        "evaluatedDatapoints": [{"timestamp": _stamp(ts), "value": v} for ts, v in reversed(present)],
    }
    if not present and treat in ("missing", "ignore"):
        if treat == "ignore":
            return Evaluation(None, "", data)
        return Evaluation(
            "INSUFFICIENT_DATA",
            f"Insufficient Data: {n} datapoint{'s were' if n != 1 else ' was'} unknown.",
            data,
        )
    breaching = 0
    considered: list[str] = []
    for ts, value in values:
        if value is None:
            if treat == "breaching":
                breaching += 1
            continue
        if compare(value, threshold):
            breaching += 1
        considered.append(f"{float(value)} ({_short(ts)})")
    verb = _WORDS[alarm.comparison_operator]
    listed = f" [{', '.join(reversed(considered))}]" if considered else ""
    if breaching >= m:
        reason = (
            f"Threshold Crossed: {breaching} out of the last {n} datapoint{'s' if n != 1 else ''}{listed} "
            f"{'was' if breaching == 1 else 'were'} {verb} the threshold ({threshold}) "
            f"(minimum {m} datapoint{'s' if m != 1 else ''} for {current_state} -> ALARM transition)."
        )
        return Evaluation("ALARM", reason, data)
    k = len(considered)
    reason = (
        f"Threshold Crossed: {k} datapoint{'s' if k != 1 else ''}{listed} "
        f"{'was' if k == 1 else 'were'} not {verb} the threshold ({threshold})."
    )
    return Evaluation("OK", reason, data)


def period_values(
    aggregates: dict[int, Aggregate], statistic: str, ends: int, period: int, count: int
) -> list[tuple[int, float | None]]:
    """The statistic of each of the `count` periods ending at `ends` (oldest first), None where empty."""
    starts = [ends - period * (count - i) for i in range(count)]
    values: list[tuple[int, float | None]] = []
    for start in starts:
        aggregate = aggregates.get(start)
        value = aggregate.statistic(statistic) if aggregate is not None else None
        values.append((start, None if value is None or math.isnan(value) else value))
    return values


class AlarmEvaluator:
    """Evaluates every metric alarm of moto's CloudWatch backends on their period boundaries."""

    def __init__(
        self, store: MetricStore, backends: Callable[[], list[Any]], clock: Callable[[], float] = time.time
    ):
        self._store = store
        self._backends = backends
        self._clock = clock
        self._next: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alarm-evaluator", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            try:
                self.tick()
            except Exception:  # one bad alarm must not stop the evaluation of the others
                log.exception("alarm evaluation failed")

    def tick(self) -> None:
        now = self._clock()
        seen: set[str] = set()
        for backend in self._backends():
            for alarm in list(backend.alarms.values()):
                if alarm.rule is not None:
                    continue  # composite alarms are not evaluated locally (documented)
                seen.add(alarm.alarm_arn)
                cadence = min(int(alarm.period or 60), 60)
                due = self._next.get(alarm.alarm_arn)
                if due is not None and now >= due:
                    self.evaluate_alarm(backend, alarm, now)
                if due is None or now >= due:
                    self._next[alarm.alarm_arn] = math.floor(now / cadence) * cadence + cadence + SETTLE_S
        for gone in set(self._next) - seen:  # deleted alarms
            del self._next[gone]

    def evaluate_alarm(self, backend: Any, alarm: Any, now: float) -> None:
        if alarm.metric_data_queries:
            self._set(
                alarm,
                Evaluation(
                    "INSUFFICIENT_DATA",
                    "Metric math alarms are not evaluated by the local cloud.",
                    {"version": "1.0"},
                ),
            )
            return
        period = int(alarm.period)
        count = int(alarm.evaluation_periods)
        ends = math.floor((now - SETTLE_S) / period) * period
        statistic = alarm.extended_statistic or alarm.statistic
        aggregates = self._aggregates(backend, alarm, ends - period * count, ends, period)
        values = period_values(aggregates, statistic, ends, period, count)
        self._set(alarm, evaluate(alarm, values, now, alarm.state_value))

    def _aggregates(
        self, backend: Any, alarm: Any, start: int, end: int, period: int
    ) -> dict[int, Aggregate]:
        dimensions = {d.name: d.value for d in alarm.dimensions}
        if alarm.namespace in SERVICE_NAMESPACES:
            key = series_key(alarm.namespace, alarm.metric_name, dimensions)
            return {p.timestamp: p.aggregate for p in self._store.query(key, start, end, period)}
        # Custom metrics live in moto's own list of PutMetricData values.
        merged: dict[int, Aggregate] = {}
        wanted = sorted(dimensions.items())
        for datum in backend.metric_data:
            if datum.namespace != alarm.namespace or datum.name != alarm.metric_name:
                continue
            if sorted((d.name, d.value) for d in datum.dimensions) != wanted:
                continue
            stamp = datum.timestamp
            epoch = (stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.UTC)).timestamp()
            if not start <= epoch < end:
                continue
            bucket = merged.setdefault(int(epoch) - int(epoch) % period, Aggregate())
            if hasattr(datum, "value"):
                bucket.add(float(datum.value))
            else:  # a StatisticSet: no percentiles, as on CloudWatch
                bucket.merge(
                    Aggregate(float(datum.sample_count), float(datum.sum), float(datum.min), float(datum.max))
                )
        return merged

    def _set(self, alarm: Any, evaluation: Evaluation) -> None:
        if evaluation.state is None or evaluation.state == alarm.state_value:
            return
        old = {"stateValue": alarm.state_value, "stateReason": alarm.state_reason}
        reason_data = json.dumps(evaluation.reason_data)
        alarm.update_state(evaluation.reason, reason_data, evaluation.state)
        new = {
            "stateValue": evaluation.state,
            "stateReason": evaluation.reason,
            "stateReasonData": evaluation.reason_data,
        }
        history_item(
            alarm,
            "StateUpdate",
            f"Alarm updated from {old['stateValue']} to {evaluation.state}",
            {"version": "1.0", "oldState": old, "newState": new},
        )
        log.info("alarm %s: %s -> %s", alarm.name, old["stateValue"], evaluation.state)
