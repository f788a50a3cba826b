"""CloudWatch: the state of each color's alarms."""

from __future__ import annotations

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
