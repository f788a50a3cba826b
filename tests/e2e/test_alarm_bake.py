"""A switch's bake rolls back because green's own 5XX alarm fires on real traffic, not on a health poll.

Green passes its smoke suite on its own URL; once it is live, a misconfigured `/reports` route (its
integration names a function that does not exist, as a bad release might) answers 5xx to live users. The
route is one the smoke suite does not exercise (a broken `/pets` fails the bake's live smoke rounds first),
so only the alarm can see it.
API Gateway's 5XXError metric then crosses the stack's alarm threshold, CloudWatch evaluates the alarm at
the end of its 60-second period, and the bake sees ALARM and rolls back to blue while /health stays fine.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from localcloud.flow import LIVE_URL, Commands, stack_outputs
from localcloud.zero_downtime import LiveLoad

pytestmark = pytest.mark.e2e

ALARM = "petstore-green-api-5xx"
FAULTY_PATH = "reports"  # live users call it; the smoke suite does not
BROKEN_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:petstore-green-missing"


def _apigateway(commands: Commands) -> Any:
    cloud = commands.cloud
    return boto3.client(
        "apigateway",
        endpoint_url=cloud.endpoint_url,
        region_name=cloud.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


class RouteFault:
    """Adds (and later removes) a `/reports` route on green whose integration names no function."""

    def __init__(self, commands: Commands) -> None:
        outputs = stack_outputs(commands.cloud, "petstore-green")
        self.api_id, self.stage = outputs["GreenApiId"], outputs["GreenApiStage"]
        self.apigw = _apigateway(commands)
        self.resource_id: str | None = None

    def inject(self) -> None:
        items = self.apigw.get_resources(restApiId=self.api_id)["items"]
        root = next(item["id"] for item in items if item["path"] == "/")
        self.resource_id = self.apigw.create_resource(
            restApiId=self.api_id, parentId=root, pathPart=FAULTY_PATH
        )["id"]
        self.apigw.put_method(
            restApiId=self.api_id, resourceId=self.resource_id, httpMethod="GET", authorizationType="NONE"
        )
        self.apigw.put_integration(
            restApiId=self.api_id,
            resourceId=self.resource_id,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{BROKEN_FUNCTION}/invocations",
        )
        self.apigw.create_deployment(restApiId=self.api_id, stageName=self.stage)

    def remove(self) -> None:
        if self.resource_id is not None:
            self.apigw.delete_resource(restApiId=self.api_id, resourceId=self.resource_id)
            self.apigw.create_deployment(restApiId=self.api_id, stageName=self.stage)


@pytest.fixture
def route_fault(live_on_blue: Commands) -> Iterator[RouteFault]:
    fault = RouteFault(live_on_blue)
    try:
        yield fault
    finally:
        fault.remove()


def _inject_once_green_is_live(commands: Commands, fault: RouteFault, stop: threading.Event) -> None:
    while not stop.is_set():
        if (commands.live() or ("", ""))[0] == "green":
            fault.inject()
            return
        time.sleep(0.2)


def test_bake_rolls_back_when_greens_5xx_alarm_fires_on_live_traffic(
    live_on_blue: Commands, route_fault: RouteFault
) -> None:
    cloud = live_on_blue.cloud
    stop = threading.Event()
    injector = threading.Thread(
        target=_inject_once_green_is_live, args=(live_on_blue, route_fault, stop), daemon=True
    )
    # GIVEN users requesting /reports on the live hostname, and a fault there once green is live
    with LiveLoad(f"{LIVE_URL}/{FAULTY_PATH}", 2, cloud.data_address, str(cloud.ca_bundle)):
        injector.start()
        try:
            # WHEN green is switched in with a bake longer than one alarm period
            started = time.monotonic()
            result = live_on_blue.run("bluegreen", "switch", "green", "--yes", "--bake", "150", check=False)
            elapsed = time.monotonic() - started
        finally:
            stop.set()
            injector.join(timeout=5)

    print(f"switch + bake + rollback, ended by the alarm: {elapsed:.0f} s")
    # THEN the bake fails on the alarm, the switch rolls back, and blue is live again
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"alarm(s) in ALARM: {ALARM}" in output, output
    assert elapsed < 150, "the alarm, not the end of the bake, ended it"
    assert live_on_blue.live() == ("blue", "v1.0.0")
    # AND CloudWatch's history shows the alarm crossing its threshold on the 5XXError metric
    history = json.loads(
        live_on_blue.run(
            "aws",
            "cloudwatch",
            "describe-alarm-history",
            "--alarm-name",
            ALARM,
            "--history-item-type",
            "StateUpdate",
            "--output",
            "json",
        ).stdout
    )["AlarmHistoryItems"]
    fired = next(item for item in history if item["HistorySummary"].endswith("to ALARM"))
    reason = json.loads(fired["HistoryData"])["newState"]["stateReason"]
    assert reason.startswith("Threshold Crossed:"), reason
