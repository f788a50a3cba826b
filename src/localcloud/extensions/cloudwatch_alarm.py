"""AWS::CloudWatch::Alarm, created through moto's CloudWatch backend.

Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
"""

from typing import Any

from ._moto import cloudwatch
from .cfn_provider import ResourceProvider


def _put_alarm(account_id: str, region_name: str, name: str, properties: dict[str, Any]) -> Any:
    dimensions = [{"Name": d["Name"], "Value": d["Value"]} for d in properties.get("Dimensions") or []]
    return cloudwatch.cloudwatch_backends[account_id][region_name].put_metric_alarm(
        name=name,
        namespace=properties.get("Namespace"),
        metric_name=properties.get("MetricName"),
        comparison_operator=properties["ComparisonOperator"],
        evaluation_periods=int(properties["EvaluationPeriods"]),
        period=int(properties.get("Period", 60)),
        threshold=float(properties.get("Threshold", 0)),
        statistic=properties.get("Statistic"),
        description=properties.get("AlarmDescription", ""),
        dimensions=dimensions,
        alarm_actions=properties.get("AlarmActions") or [],
        datapoints_to_alarm=properties.get("DatapointsToAlarm"),
        extended_statistic=properties.get("ExtendedStatistic"),
        ok_actions=properties.get("OKActions") or [],
        insufficient_data_actions=properties.get("InsufficientDataActions") or [],
        unit=properties.get("Unit"),
        actions_enabled=bool(properties.get("ActionsEnabled", True)),
        treat_missing_data=properties.get("TreatMissingData"),
        tags=properties.get("Tags"),
    )


class AlarmResource(ResourceProvider):
    def __init__(self, account_id: str, region_name: str, name: str, arn: str) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.arn = arn

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @property
    def physical_resource_id(self) -> str:
        return self.name

    ATTRIBUTES = frozenset({"Arn"})

    def attribute(self, name: str) -> Any:
        return self.arn

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> "AlarmResource":
        alarm = _put_alarm(account_id, region_name, resource_name, cloudformation_json["Properties"])
        return cls(account_id, region_name, resource_name, alarm.alarm_arn)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: "AlarmResource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "AlarmResource":
        # AlarmName is create-only: the engine replaces the alarm when it changes.
        _put_alarm(account_id, region_name, original_resource.name, cloudformation_json["Properties"])
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        cloudwatch.cloudwatch_backends[account_id][region_name].delete_alarms([self.name])
