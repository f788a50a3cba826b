"""CloudWatch: the state of each color's alarms, and a function's peak concurrency."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from bluegreen.aws.base import AwsBase


class CloudWatchApi(AwsBase):
    def alarm_states(self, alarm_names: Sequence[str]) -> dict[str, str]:
        """State per alarm name; a name CloudWatch does not know is reported as MISSING."""
        states = dict.fromkeys(alarm_names, "MISSING")
        names = list(alarm_names)
        for start in range(0, len(names), 100):  # AlarmNames accepts at most 100 names per call
            for page in self.pages(self.cloudwatch, "describe_alarms", AlarmNames=names[start : start + 100]):
                for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                    states[alarm["AlarmName"]] = alarm.get("StateValue", "INSUFFICIENT_DATA")
        return states

    def peak_concurrency(self, function_name: str, lookback_seconds: float) -> int | None:
        """The function's `ConcurrentExecutions` Maximum over the last `lookback_seconds` (per-minute
        periods), or None when CloudWatch has no datapoint in that window."""
        end = self.clock()
        response = self.cloudwatch.get_metric_statistics(
            Namespace="AWS/Lambda",
            MetricName="ConcurrentExecutions",
            Dimensions=[{"Name": "FunctionName", "Value": function_name}],
            StartTime=datetime.datetime.fromtimestamp(end - lookback_seconds, datetime.UTC),
            EndTime=datetime.datetime.fromtimestamp(end, datetime.UTC),
            Period=60,
            Statistics=["Maximum"],
        )
        peaks = [point["Maximum"] for point in response.get("Datapoints", []) if "Maximum" in point]
        return math.ceil(max(peaks)) if peaks else None
