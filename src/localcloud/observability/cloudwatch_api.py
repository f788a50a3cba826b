"""moto's CloudWatch API, answering the service metrics from the metric store and keeping alarm history.

GetMetricStatistics (Statistics and ExtendedStatistics), GetMetricData (any Stat, percentiles included)
and ListMetrics read AWS/ApiGateway and AWS/Lambda from the store; other namespaces stay with moto.
PutMetricAlarm validates the period as CloudWatch does, starts a new alarm in INSUFFICIENT_DATA, keeps the
state of an alarm it updates, and records ConfigurationUpdate history; DescribeAlarmHistory answers it.
Docs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
      https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
      https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from localcloud.extensions._moto import cloudwatch, cloudwatch_responses
from localcloud.observability.metrics import (
    STANDARD_STATISTICS,
    MetricStore,
    is_statistic,
    matching_series,
    series_key,
)
from localcloud.patches import Patch, register, registry

SERVICE_NAMESPACES = frozenset({"AWS/ApiGateway", "AWS/Lambda"})
HISTORY_LIMIT = 100  # per alarm; CloudWatch keeps history for 30 days


def _utc(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return float(value.timestamp())
    return float(value)


def invalid(message: str) -> Exception:
    error: Exception = cloudwatch.InvalidParameterValue(message)
    return error


def validate_alarm_period(period: int, evaluation_periods: int) -> None:
    """The periods PutMetricAlarm accepts: 10, 20, 30 or a multiple of 60, within the total range limits."""
    if period not in (10, 20, 30) and (period <= 0 or period % 60):
        raise invalid(f"The parameter Period must be 10, 20, 30 or a multiple of 60; got {period}.")
    total = period * evaluation_periods
    limit = 86_400 if period < 3600 else 604_800
    if total > limit:
        raise invalid(f"Period * EvaluationPeriods must not exceed {limit} seconds; got {total}.")


def history_item(alarm: Any, kind: str, summary: str, data: dict[str, Any]) -> None:
    items: list[dict[str, Any]] = alarm.__dict__.setdefault("localcloud_history", [])
    items.insert(
        0,
        {
            "AlarmName": alarm.name,
            "AlarmType": "MetricAlarm",
            "Timestamp": datetime.datetime.now(datetime.UTC),
            "HistoryItemType": kind,
            "HistorySummary": summary,
            "HistoryData": json.dumps(data),
        },
    )
    del items[HISTORY_LIMIT:]


class CloudWatchApi:
    def __init__(self, store: MetricStore) -> None:
        self.store = store

    def statistics(
        self,
        namespace: str,
        metric: str,
        dimensions: list[dict[str, str]],
        start: Any,
        end: Any,
        period: int,
        statistics: list[str],
        extended: list[str],
    ) -> list[dict[str, Any]]:
        if period <= 0:
            raise invalid("The parameter Period must be greater than 0.")
        for name in extended:
            if not is_statistic(name) or name in STANDARD_STATISTICS:
                raise invalid(f"The value {name} for parameter ExtendedStatistics is not supported.")
        begin, finish = _epoch(start), _epoch(end)
        if begin >= finish:
            raise invalid("The parameter StartTime must be less than the parameter EndTime.")
        key = series_key(namespace, metric, {d["Name"]: d["Value"] for d in dimensions})
        datapoints = []
        for point in self.store.query(key, begin, finish, period):
            entry: dict[str, Any] = {"Timestamp": _utc(point.timestamp), "Unit": point.unit or "None"}
            for name in statistics:
                entry[name] = point.aggregate.statistic(name)
            if extended:
                entry["ExtendedStatistics"] = {name: point.aggregate.statistic(name) for name in extended}
            datapoints.append(entry)
        return datapoints

    def metric_data(self, query: dict[str, Any], start: Any, end: Any, scan_by: str) -> dict[str, Any]:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        name = stat["Stat"]
        if not is_statistic(name):
            raise invalid(f"The value {name} for parameter Stat is not supported.")
        key = series_key(
            metric["Namespace"],
            metric["MetricName"],
            {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
        )
        points = self.store.query(key, _epoch(start), _epoch(end), int(stat["Period"]))
        values = [(point.timestamp, point.aggregate.statistic(name)) for point in points]
        if scan_by != "TimestampAscending":
            values.reverse()
        return {
            "id": query["Id"],
            "label": query.get("Label") or metric["MetricName"],
            "values": [value for _, value in values],
            "timestamps": [_utc(ts) for ts, _ in values],
            "status_code": "Complete",
        }

    def list_metrics(
        self, namespace: str | None, metric: str | None, dimensions: list[dict[str, Any]]
    ) -> list[Any]:
        wanted = [(str(d["Name"]), d.get("Value")) for d in dimensions]
        return [
            {
                "Namespace": key[0],
                "MetricName": key[1],
                "Dimensions": [{"Name": n, "Value": v} for n, v in key[2]],
            }
            for key in matching_series(self.store, namespace, metric, wanted)
        ]


def _is_service(namespace: str | None) -> bool:
    return namespace in SERVICE_NAMESPACES


def install(api: CloudWatchApi) -> None:
    """Answer from `api` (later calls swap the store) and make sure this module's patches are applied."""
    global _api
    _api = api
    registry.apply_all(origin=__name__)


_api: CloudWatchApi | None = None


def _current() -> CloudWatchApi:
    global _api
    if _api is None:  # patched by extensions.install() before observability.install(): the process store
        from localcloud import observability

        _api = CloudWatchApi(observability.store())
    return _api


def _wrap_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_statistics(self: Any) -> Any:
        namespace = self._get_param("Namespace")
        if not _is_service(namespace):
            return original(self)
        statistics = self._get_param("Statistics", [])
        extended = self._get_param("ExtendedStatistics", [])
        if not statistics and not extended:
            raise cloudwatch.InvalidParameterCombination(
                "Must specify either Statistics or ExtendedStatistics"
            )
        metric = self._get_param("MetricName")
        datapoints = _current().statistics(
            namespace,
            metric,
            self._get_param("Dimensions", []),
            self._get_param("StartTime"),
            self._get_param("EndTime"),
            self._get_int_param("Period"),
            statistics,
            extended,
        )
        return cloudwatch_responses.ActionResult({"Label": metric, "Datapoints": datapoints})

    return get_metric_statistics


def _wrap_metric_data(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_data(self: Any) -> Any:
        params = self._get_params()
        queries = params.get("MetricDataQueries", [])
        ours = [q for q in queries if _is_service(q.get("MetricStat", {}).get("Metric", {}).get("Namespace"))]
        if not ours:
            return original(self)
        if len(ours) != len(queries):
            raise invalid(
                "The local cloud answers AWS/ApiGateway and AWS/Lambda queries apart from other namespaces "
                "and metric math: send them in separate GetMetricData calls."
            )
        start, end = params["StartTime"], params["EndTime"]
        if _epoch(start) >= _epoch(end):
            raise cloudwatch.ValidationError("The parameter EndTime must be greater than StartTime.")
        scan_by = params.get("ScanBy") or "TimestampDescending"
        results = [_current().metric_data(q, start, end, scan_by) for q in ours if q.get("ReturnData", True)]
        return cloudwatch_responses.ActionResult({"MetricDataResults": results})

    return get_metric_data


def _wrap_list_metrics(original: Callable[..., Any]) -> Callable[..., Any]:
    def list_metrics(self: Any) -> Any:
        namespace = self._get_param("Namespace")
        if namespace is not None and not _is_service(namespace):
            return original(self)
        found = _current().list_metrics(
            namespace, self._get_param("MetricName"), self._get_params().get("Dimensions", [])
        )
        if namespace is None:
            # Both sources: moto's custom metrics first page, then the service metrics.
            result = original(self)
            others = list(getattr(result, "result", {}).get("Metrics", []) or [])
            return cloudwatch_responses.ActionResult({"Metrics": others + found})
        return cloudwatch_responses.ActionResult({"Metrics": found})

    return list_metrics


def _describe_alarm_history(self: Any) -> Any:
    name = self._get_param("AlarmName")
    kind = self._get_param("HistoryItemType")
    start, end = self._get_param("StartDate"), self._get_param("EndDate")
    newest_first = (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending"
    limit = int(self._get_param("MaxRecords") or 100)
    items: list[dict[str, Any]] = []
    for alarm in self.cloudwatch_backend.alarms.values():
        if name and alarm.name != name:
            continue
        items.extend(alarm.__dict__.get("localcloud_history", []))
    if kind:
        items = [item for item in items if item["HistoryItemType"] == kind]
    if start is not None:
        items = [item for item in items if item["Timestamp"].timestamp() >= _epoch(start)]
    if end is not None:
        items = [item for item in items if item["Timestamp"].timestamp() <= _epoch(end)]
    items.sort(key=lambda item: item["Timestamp"], reverse=newest_first)
    return cloudwatch_responses.ActionResult({"AlarmHistoryItems": items[:limit]})


def _wrap_put_metric_alarm(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_metric_alarm(self: Any, **kwargs: Any) -> Any:
        if kwargs.get("rule") is None and kwargs.get("period") is not None:
            validate_alarm_period(int(kwargs["period"]), int(kwargs.get("evaluation_periods") or 1))
        name = kwargs["name"]
        previous = self.alarms.get(name)
        alarm = original(self, **kwargs)
        if previous is not None:
            # An update keeps the alarm's state and history; only the configuration changes.
            for attribute in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp"):
                setattr(alarm, attribute, getattr(previous, attribute))
            alarm.localcloud_history = previous.__dict__.get("localcloud_history", [])
            summary = f'Alarm "{name}" updated'
        else:
            alarm.state_value = "INSUFFICIENT_DATA"
            alarm.state_reason = "Unchecked: Initial alarm creation"
            summary = f'Alarm "{name}" created'
        history_item(alarm, "ConfigurationUpdate", summary, {"type": "Update", "version": "1.0"})
        return alarm

    return put_metric_alarm


def _wrap_set_alarm_state(original: Callable[..., Any]) -> Callable[..., Any]:
    def set_alarm_state(self: Any, alarm_name: str, reason: str, reason_data: str, state_value: str) -> None:
        alarm = self.alarms.get(alarm_name)
        old = (alarm.state_value, alarm.state_reason) if alarm is not None else None
        original(self, alarm_name, reason, reason_data, state_value)
        if alarm is not None and old is not None and old[0] != state_value:
            history_item(
                alarm,
                "StateUpdate",
                f"Alarm updated from {old[0]} to {state_value}",
                {
                    "version": "1.0",
                    "oldState": {"stateValue": old[0], "stateReason": old[1]},
                    "newState": {"stateValue": state_value, "stateReason": reason},
                },
            )

    return set_alarm_state


_RESPONSE = cloudwatch_responses.CloudWatchResponse
register(
    __name__,
    Patch(
        _RESPONSE, "get_metric_statistics", "AWS/ApiGateway and AWS/Lambda statistics", wrap=_wrap_statistics
    ),
    Patch(_RESPONSE, "get_metric_data", "AWS/ApiGateway and AWS/Lambda metric data", wrap=_wrap_metric_data),
    Patch(_RESPONSE, "list_metrics", "the service metrics are listed", wrap=_wrap_list_metrics),
    Patch(
        _RESPONSE,
        "describe_alarm_history",
        "DescribeAlarmHistory (moto has none)",
        new=_describe_alarm_history,
        adds=True,
    ),
    Patch(
        cloudwatch.CloudWatchBackend,
        "put_metric_alarm",
        "alarm periods validated; an update keeps state and history",
        wrap=_wrap_put_metric_alarm,
    ),
    Patch(
        cloudwatch.CloudWatchBackend,
        "set_alarm_state",
        "state changes are recorded in the alarm history",
        wrap=_wrap_set_alarm_state,
    ),
)
