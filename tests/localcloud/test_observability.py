"""Metrics, alarms and logs of the local cloud, read with the same `aws` and `sam` commands as on AWS."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fixtures.deploy import client, deploy_api
from fixtures.https_client import fetch
from templates import HERE

REGION = "us-east-1"
LocalCloud = Any  # tests/conftest.py LocalCloud: endpoint_url, data_address, ca_bundle, env


def aws(cloud: LocalCloud, *args: str) -> Any:
    result = subprocess.run(
        ["aws", *args, "--output", "json"], env=cloud.env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def wait_for[T](probe: Callable[[], T | None], timeout_s: float, interval_s: float = 0.5) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout_s} s")
        time.sleep(interval_s)


def at_the_start_of_a_period(period_s: int, room_s: float) -> None:
    """Sleep into the next period unless `room_s` is left in this one: periods are aligned to the epoch."""
    left = period_s - time.time() % period_s
    if left < room_s:
        time.sleep(left + 0.1)


def get(cloud: LocalCloud, api_id: str, path: str) -> int:
    url = f"https://{api_id}.execute-api.{REGION}.amazonaws.com{path}"
    return int(fetch(cloud.data_address, cloud.ca_bundle, url).status)


def _window() -> list[str]:
    now = datetime.now(UTC)
    return [
        "--start-time",
        (now - timedelta(minutes=5)).isoformat(),
        "--end-time",
        (now + timedelta(minutes=1)).isoformat(),
    ]


@pytest.fixture(scope="module")
def api(local_cloud: LocalCloud) -> str:
    api_id, _ = deploy_api(local_cloud.endpoint_url, "obs-api", stage="live")
    return api_id


def test_api_gateway_metrics_answer_get_metric_statistics_with_p99(local_cloud: LocalCloud, api: str) -> None:
    # GIVEN 6 answered requests, 2 of them a function error (502), and one to a stage that does not exist
    for _ in range(4):
        assert get(local_cloud, api, "/live/pets") == 200
    for _ in range(2):
        assert get(local_cloud, api, "/live/pets?mode=raise") == 502
    assert get(local_cloud, api, "/nostage/pets") == 403

    # WHEN the stage's metrics are read with the AWS CLI
    dims = ["--dimensions", "Name=ApiName,Value=obs-api", "Name=Stage,Value=live"]

    def total(metric: str) -> float:
        answer = aws(
            local_cloud,
            "cloudwatch",
            "get-metric-statistics",
            "--namespace",
            "AWS/ApiGateway",
            "--metric-name",
            metric,
            *dims,
            *_window(),
            "--period",
            "60",
            "--statistics",
            "Sum",
        )
        return sum(point["Sum"] for point in answer["Datapoints"])

    # THEN Count, 5XXError and 4XXError are the stage's own, and Latency has a p99
    assert total("Count") == 6
    assert total("5XXError") == 2
    assert total("4XXError") == 0
    latency = aws(
        local_cloud,
        "cloudwatch",
        "get-metric-statistics",
        "--namespace",
        "AWS/ApiGateway",
        "--metric-name",
        "Latency",
        *dims,
        *_window(),
        "--period",
        "360",
        "--extended-statistics",
        "p99",
    )["Datapoints"]
    assert latency and all(point["ExtendedStatistics"]["p99"] > 0 for point in latency)
    assert latency[0]["Unit"] == "Milliseconds"


def test_get_metric_data_answers_percentiles_of_the_integration(local_cloud: LocalCloud, api: str) -> None:
    # GIVEN requests that reached the function
    for _ in range(3):
        get(local_cloud, api, "/live/pets")
    query = {
        "Id": "p99",
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ApiGateway",
                "MetricName": "IntegrationLatency",
                "Dimensions": [{"Name": "ApiName", "Value": "obs-api"}, {"Name": "Stage", "Value": "live"}],
            },
            "Period": 60,
            "Stat": "p99",
        },
    }

    # WHEN GetMetricData asks for the p99 of IntegrationLatency
    result = aws(
        local_cloud, "cloudwatch", "get-metric-data", "--metric-data-queries", json.dumps([query]), *_window()
    )["MetricDataResults"][0]

    # THEN it has values, as many as timestamps
    assert result["Id"] == "p99" and result["StatusCode"] == "Complete"
    assert result["Values"] and len(result["Values"]) == len(result["Timestamps"])
    assert all(value > 0 for value in result["Values"])


def test_service_metrics_are_listed(local_cloud: LocalCloud, api: str) -> None:
    get(local_cloud, api, "/live/pets")

    listed = aws(local_cloud, "cloudwatch", "list-metrics", "--namespace", "AWS/Lambda")["Metrics"]

    names = {(m["MetricName"], tuple(d["Value"] for d in m["Dimensions"])) for m in listed}
    assert ("Invocations", ("obs-api",)) in names


def test_a_5xx_alarm_fires_then_recovers_with_reason_and_history(local_cloud: LocalCloud, api: str) -> None:
    # GIVEN a 10-second alarm on the stage's 5XXError, missing data not breaching, created early in a
    # period so that it is read before its first evaluation at the period's end
    name = "obs-api-5xx"
    at_the_start_of_a_period(10, room_s=8)
    aws(
        local_cloud,
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        name,
        "--namespace",
        "AWS/ApiGateway",
        "--metric-name",
        "5XXError",
        "--dimensions",
        "Name=ApiName,Value=obs-api",
        "Name=Stage,Value=live",
        "--statistic",
        "Sum",
        "--period",
        "10",
        "--evaluation-periods",
        "1",
        "--threshold",
        "1",
        "--comparison-operator",
        "GreaterThanOrEqualToThreshold",
        "--treat-missing-data",
        "notBreaching",
    )
    state = aws(local_cloud, "cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"][0]
    assert state["StateValue"] == "INSUFFICIENT_DATA"

    # WHEN the stage answers 5xx three times within one period
    at_the_start_of_a_period(10, room_s=6)
    started = time.monotonic()
    for _ in range(3):
        assert get(local_cloud, api, "/live/pets?mode=raise") == 502

    def alarm() -> dict[str, Any] | None:
        found = aws(local_cloud, "cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"][0]
        return found if found["StateValue"] == "ALARM" else None

    # THEN the alarm goes to ALARM within two periods, saying why
    fired = wait_for(alarm, timeout_s=25)
    print(f"metrics-to-alarm delay: {time.monotonic() - started:.1f} s (Period 10)")
    assert fired["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoint")
    (errors,) = json.loads(fired["StateReasonData"])["recentDatapoints"]
    assert errors >= 3  # earlier tests' errors may share the period

    # AND with no more errors it goes back to OK, and both changes are in its history
    def recovered() -> bool:
        found = aws(local_cloud, "cloudwatch", "describe-alarms", "--alarm-names", name)["MetricAlarms"][0]
        return bool(found["StateValue"] == "OK")

    wait_for(recovered, timeout_s=25)
    history = aws(
        local_cloud,
        "cloudwatch",
        "describe-alarm-history",
        "--alarm-name",
        name,
        "--history-item-type",
        "StateUpdate",
    )["AlarmHistoryItems"]
    summaries = [item["HistorySummary"] for item in history]
    assert summaries[0] == "Alarm updated from ALARM to OK"
    assert summaries[1].endswith(" to ALARM")  # from INSUFFICIENT_DATA, or OK if evaluated before the errors


def test_an_alarm_period_cloudwatch_refuses_is_refused(local_cloud: LocalCloud) -> None:
    result = subprocess.run(
        [
            "aws",
            "cloudwatch",
            "put-metric-alarm",
            "--alarm-name",
            "bad-period",
            "--namespace",
            "AWS/Lambda",
            "--metric-name",
            "Errors",
            "--statistic",
            "Sum",
            "--period",
            "45",
            "--evaluation-periods",
            "1",
            "--threshold",
            "1",
            "--comparison-operator",
            "GreaterThanThreshold",
        ],
        env=local_cloud.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Period" in result.stderr


def test_stage_access_logs_and_function_logs_reach_cloudwatch_logs(local_cloud: LocalCloud, api: str) -> None:
    # GIVEN a stage with an access log setting in JSON
    group = "/aws/apigateway/obs-api-access"
    logs = client(local_cloud.endpoint_url, "logs")
    logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{group}"
    template = '{"requestId":"$context.requestId","status":"$context.status","path":"$context.path"}'
    client(local_cloud.endpoint_url, "apigateway").update_stage(
        restApiId=api,
        stageName="live",
        patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
            {"op": "replace", "path": "/accessLogSettings/format", "value": template},
        ],
    )

    # WHEN a request is answered
    reply = fetch(
        local_cloud.data_address,
        local_cloud.ca_bundle,
        f"https://{api}.execute-api.{REGION}.amazonaws.com/live/pets/7",
    )
    request_id = reply.header("x-amzn-RequestId")

    # THEN the access-log line is in the group (awscli v1 here: filter-log-events; v2 adds `logs tail`)
    def lines(log_group: str, needle: str) -> list[str] | None:
        events = aws(local_cloud, "logs", "filter-log-events", "--log-group-name", log_group)["events"]
        found = [event["message"] for event in events if needle in event["message"]]
        return found or None

    (line,) = wait_for(lambda: lines(group, str(request_id)), timeout_s=10)
    assert json.loads(line) == {"requestId": request_id, "status": "200", "path": "/live/pets/7"}
    assert wait_for(lambda: lines("/aws/lambda/obs-api", "REPORT RequestId"), timeout_s=10)


def test_sam_logs_shows_a_stack_functions_output(local_cloud: LocalCloud) -> None:
    # GIVEN a SAM stack whose function has run
    cloudformation = client(local_cloud.endpoint_url, "cloudformation")
    cloudformation.create_stack(
        StackName="obs-logs",
        TemplateBody=(HERE / "color_api.yaml").read_text(),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    cloudformation.get_waiter("stack_create_complete").wait(StackName="obs-logs", WaiterConfig={"Delay": 1})
    function = cloudformation.describe_stack_resource(StackName="obs-logs", LogicalResourceId="Fn")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    request_id = client(local_cloud.endpoint_url, "lambda").invoke(FunctionName=function)["ResponseMetadata"][
        "RequestId"
    ]

    # WHEN `sam logs` is asked for the function by its logical id
    def sam_logs() -> str | None:
        result = subprocess.run(
            ["sam", "logs", "-n", "Fn", "--stack-name", "obs-logs", "--region", REGION],
            env={**local_cloud.env, "SAM_CLI_TELEMETRY": "0"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout if f"REPORT RequestId: {request_id}" in result.stdout else None

    # THEN it prints the invoke's START and REPORT lines
    output = wait_for(sam_logs, timeout_s=30, interval_s=1)
    assert f"START RequestId: {request_id}" in output
