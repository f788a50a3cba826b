"""How an alarm decides its state from the last periods, and how the metric store aggregates."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from localcloud.observability.alarms import AlarmEvaluator, evaluate, period_values
from localcloud.observability.metrics import Aggregate, MetricStore, series_key

NOW = 1_800_000_000.0


def alarm(**overrides: Any) -> Any:
    settings: dict[str, Any] = {
        "threshold": 5.0,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "evaluation_periods": 3,
        "datapoints_to_alarm": None,
        "treat_missing_data": None,
        "statistic": "Sum",
        "extended_statistic": None,
        "period": 60,
    }
    settings.update(overrides)
    return SimpleNamespace(**settings)


def periods(*values: float | None) -> list[tuple[int, float | None]]:
    return [(1_799_999_820 + 60 * i, value) for i, value in enumerate(values)]


def test_all_breaching_periods_alarm_with_cloudwatchs_reason() -> None:
    result = evaluate(alarm(), periods(5, 6, 7), NOW, "OK")

    assert result.state == "ALARM"
    assert result.reason.startswith("Threshold Crossed: 3 out of the last 3 datapoints [7.0 (")
    assert "were greater than or equal to the threshold (5.0)" in result.reason
    assert result.reason.endswith("(minimum 3 datapoints for OK -> ALARM transition).")
    assert result.reason_data["recentDatapoints"] == [5, 6, 7]


def test_m_out_of_n_alarms_on_m_breaching_periods_only() -> None:
    two_of_three = alarm(datapoints_to_alarm=2)

    assert evaluate(two_of_three, periods(9, 1, 9), NOW, "OK").state == "ALARM"
    assert evaluate(two_of_three, periods(9, 1, 1), NOW, "ALARM").state == "OK"


@pytest.mark.parametrize(
    ("treat", "expected"),
    [("missing", "INSUFFICIENT_DATA"), ("ignore", None), ("breaching", "ALARM"), ("notBreaching", "OK")],
)
def test_all_periods_missing_follow_treat_missing_data(treat: str, expected: str | None) -> None:
    result = evaluate(alarm(treat_missing_data=treat), periods(None, None, None), NOW, "OK")

    assert result.state == expected


def test_missing_periods_count_as_breaching_only_when_told() -> None:
    one_of_three = periods(None, None, 9)

    assert evaluate(alarm(treat_missing_data="breaching"), one_of_three, NOW, "OK").state == "ALARM"
    assert evaluate(alarm(treat_missing_data="notBreaching"), one_of_three, NOW, "OK").state == "OK"
    assert evaluate(alarm(datapoints_to_alarm=1), one_of_three, NOW, "OK").state == "ALARM"


def test_less_than_operators_compare_the_other_way() -> None:
    low = alarm(comparison_operator="LessThanThreshold", evaluation_periods=1)

    assert evaluate(low, periods(4), NOW, "OK").state == "ALARM"
    assert evaluate(low, periods(5), NOW, "ALARM").state == "OK"


def test_period_values_read_the_statistic_and_mark_empty_periods() -> None:
    busy = Aggregate()
    for value in range(1, 101):
        busy.add(float(value))

    values = period_values({1_799_999_940: busy}, "p99", 1_800_000_000, 60, 2)

    assert values[0] == (1_799_999_880, None)
    assert values[1][0] == 1_799_999_940
    assert values[1][1] == pytest.approx(99, rel=0.03)


def test_store_merges_seconds_into_periods_with_statistics_and_percentiles() -> None:
    clock = SimpleNamespace(now=1_800_000_000.0)
    store = MetricStore(clock=lambda: clock.now)
    key = series_key("AWS/ApiGateway", "Latency", {"Stage": "live", "ApiName": "pets"})
    for second in range(60):
        clock.now = 1_800_000_000.0 + second
        store.record_key(key, 10.0 if second < 59 else 1000.0, "Milliseconds")

    (point,) = store.query(key, 1_800_000_000, 1_800_000_060, 60)

    assert point.timestamp == 1_800_000_000 - 1_800_000_000 % 60
    assert point.aggregate.statistic("SampleCount") == 60
    assert point.aggregate.statistic("Maximum") == 1000.0
    assert point.aggregate.statistic("p50") == pytest.approx(10.0, rel=0.03)
    assert point.aggregate.statistic("p99") == pytest.approx(1000.0, rel=0.03)
    assert point.unit == "Milliseconds"


def test_store_snapshots_round_trip() -> None:
    store = MetricStore(clock=lambda: 1_800_000_000.0)
    key = series_key("AWS/Lambda", "Errors", {"FunctionName": "pets"})
    store.record_key(key, 1.0, "Count")

    copy = MetricStore(clock=lambda: 1_800_000_000.0)
    copy.load(store.export())

    (point,) = copy.query(key, 1_799_999_000, 1_800_001_000, 60)
    assert point.aggregate.statistic("Sum") == 1.0


class FakeAlarm(SimpleNamespace):
    def update_state(self, reason: str, reason_data: str, state_value: str) -> None:
        self.state_reason, self.state_reason_data, self.state_value = reason, reason_data, state_value


def test_the_evaluator_fires_at_the_end_of_the_period_with_history() -> None:
    # GIVEN a 10-second 5XXError alarm and a clock just after a period boundary
    clock = SimpleNamespace(now=1_800_000_000.2)
    store = MetricStore(clock=lambda: clock.now)
    five_xx = alarm(
        name="api-5xx",
        alarm_arn="arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx",
        rule=None,
        metric_data_queries=[],
        namespace="AWS/ApiGateway",
        metric_name="5XXError",
        dimensions=[SimpleNamespace(name="ApiName", value="pets"), SimpleNamespace(name="Stage", value="v1")],
        period=10,
        evaluation_periods=1,
        threshold=1.0,
        state_value="INSUFFICIENT_DATA",
        state_reason="Unchecked: Initial alarm creation",
    )
    five_xx = FakeAlarm(**vars(five_xx))
    backend = SimpleNamespace(alarms={"api-5xx": five_xx}, metric_data=[])
    evaluator = AlarmEvaluator(store, lambda: [backend], clock=lambda: clock.now)
    evaluator.tick()  # schedules the first evaluation

    # WHEN two 5xx answers are recorded in that period
    key = series_key("AWS/ApiGateway", "5XXError", {"ApiName": "pets", "Stage": "v1"})
    store.record_key(key, 1.0, "Count")
    store.record_key(key, 1.0, "Count")

    # THEN nothing changes before the period ends (plus the settle second) ...
    clock.now = 1_800_000_010.5
    evaluator.tick()
    assert five_xx.state_value == "INSUFFICIENT_DATA"
    # ... and right after it the alarm is in ALARM with a StateUpdate history item
    clock.now = 1_800_000_011.1
    evaluator.tick()
    assert five_xx.state_value == "ALARM"
    assert json.loads(five_xx.state_reason_data)["recentDatapoints"] == [2.0]
    (update, *_) = five_xx.localcloud_history
    assert update["HistorySummary"] == "Alarm updated from INSUFFICIENT_DATA to ALARM"
