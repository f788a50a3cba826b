"""`localcloud up` on the same state dir resumes what the last run held; `reset` and `--ephemeral` do not."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from fixtures.deploy import client, deploy_api
from fixtures.https_client import fetch

from localcloud.launcher import RunningCloud, local_cloud
from localcloud.server import HEALTH_PATH

pytestmark = pytest.mark.localcloud
REGION = "us-east-1"


def _stage_get(cloud: RunningCloud, api_id: str) -> int:
    return int(
        fetch(
            cloud.data_address,
            cloud.ca_bundle,
            f"https://{api_id}.execute-api.{REGION}.amazonaws.com/live/pets",
        ).status
    )


def _seed(cloud: RunningCloud) -> str:
    """A zone, certificate and bucket (bootstrap), an API with its function, a table with an item, an alarm
    with history and metrics; the API's id."""
    bootstrap = subprocess.run(
        [sys.executable, "-m", "localcloud.cli", "bootstrap", "--domain", "api.kept.example.com"],
        env={**os.environ, **cloud.env()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bootstrap.returncode == 0, bootstrap.stderr
    api_id, _ = deploy_api(cloud.endpoint_url, "kept", stage="live")
    dynamodb = client(cloud.endpoint_url, "dynamodb")
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="orders", Item={"id": {"S": "ORD-1"}})
    cloudwatch = client(cloud.endpoint_url, "cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="kept-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "kept"}],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    # Metrics alone are snapshotted every 10 s, a control change within 2 s: the request comes before the
    # last change, so the snapshot that follows it holds the request's metrics too.
    assert _stage_get(cloud, api_id) == 200  # also records AWS/ApiGateway metrics
    cloudwatch.set_alarm_state(AlarmName="kept-errors", StateValue="ALARM", StateReason="set by the test")
    return api_id


def _assert_resumed(cloud: RunningCloud, api_id: str) -> None:
    zones = client(cloud.endpoint_url, "route53").list_hosted_zones()["HostedZones"]
    assert [zone["Name"] for zone in zones] == ["kept.example.com."]
    certificates = client(cloud.endpoint_url, "acm").list_certificates()["CertificateSummaryList"]
    assert [(c["DomainName"], c["Status"]) for c in certificates] == [("api.kept.example.com", "ISSUED")]
    client(cloud.endpoint_url, "s3").head_bucket(Bucket="petstore-sam-artifacts-local")
    item = client(cloud.endpoint_url, "dynamodb").get_item(TableName="orders", Key={"id": {"S": "ORD-1"}})
    assert item["Item"] == {"id": {"S": "ORD-1"}}
    history = client(cloud.endpoint_url, "cloudwatch").describe_alarm_history(AlarmName="kept-errors")
    summaries = [item["HistorySummary"] for item in history["AlarmHistoryItems"]]
    assert "Alarm updated from INSUFFICIENT_DATA to ALARM" in summaries  # the alarm and its history
    now = datetime.datetime.now(datetime.UTC)
    count = client(cloud.endpoint_url, "cloudwatch").get_metric_statistics(
        Namespace="AWS/ApiGateway",
        MetricName="Count",
        Dimensions=[{"Name": "ApiName", "Value": "kept"}, {"Name": "Stage", "Value": "live"}],
        StartTime=now - datetime.timedelta(minutes=10),
        EndTime=now + datetime.timedelta(minutes=1),
        Period=660,
        Statistics=["Sum"],
    )["Datapoints"]
    assert sum(point["Sum"] for point in count) >= 1
    assert _stage_get(cloud, api_id) == 200  # API, stage, integration and function all came back


def test_a_clean_stop_and_up_resume_apis_tables_alarms_and_metrics(tmp_path: Path) -> None:
    # GIVEN a local cloud that held an API, a table, an alarm and metrics, stopped cleanly
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        api_id = _seed(cloud)

    # WHEN it comes up again on the same state dir
    started = time.monotonic()
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        print(f"up to ready with the state restored: {time.monotonic() - started:.1f} s")
        # THEN everything is there and serves
        _assert_resumed(cloud, api_id)


def test_kill_9_loses_at_most_the_last_seconds(tmp_path: Path) -> None:
    # GIVEN a local cloud whose state is older than one snapshot interval when it is killed with SIGKILL
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        api_id = _seed(cloud)
        time.sleep(3)  # snapshots follow changes within 2 s
        pid = requests.get(f"{cloud.endpoint_url}{HEALTH_PATH}", timeout=5).json()["pid"]
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        time.sleep(0.5)

    # WHEN it comes up again
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        # THEN what it held before the last seconds is there
        _assert_resumed(cloud, api_id)


def _localcloud(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_reset_wipes_and_ephemeral_neither_reads_nor_writes(tmp_path: Path) -> None:
    # GIVEN a state dir with a snapshot and a stale unzipped code dir
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        _seed(cloud)
    stale = tmp_path / "code" / "stale-code-of-a-deleted-function"
    stale.mkdir(parents=True)
    snapshot = (tmp_path / "state.pickle").read_bytes()

    # WHEN an ephemeral cloud runs on it THEN it starts empty and leaves the snapshot alone
    with local_cloud(tmp_path, ephemeral=True) as cloud:
        assert client(cloud.endpoint_url, "dynamodb").list_tables()["TableNames"] == []
    assert (tmp_path / "state.pickle").read_bytes() == snapshot

    # WHEN a persistent cloud resumes THEN the code of live functions stays and stale code is pruned
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        assert client(cloud.endpoint_url, "dynamodb").list_tables()["TableNames"] == ["orders"]
    assert not stale.exists()
    assert len(list((tmp_path / "code").iterdir())) == 1

    # WHEN it is reset THEN the next run starts empty; the CA stays for clients that trust it
    result = _localcloud("reset", "--state-dir", str(tmp_path), "--yes")
    assert result.returncode == 0, result.stderr
    assert "state.pickle" in result.stdout
    with local_cloud(tmp_path, ephemeral=False) as cloud:
        assert client(cloud.endpoint_url, "dynamodb").list_tables()["TableNames"] == []
    assert (tmp_path / "ca.pem").exists()


def test_reset_refuses_while_the_cloud_runs(tmp_path: Path) -> None:
    with local_cloud(tmp_path, ephemeral=False):
        result = _localcloud("reset", "--state-dir", str(tmp_path), "--yes")
    assert result.returncode == 1
    assert "stop it first" in result.stderr


def test_a_damaged_snapshot_is_refused_in_one_line(tmp_path: Path) -> None:
    # GIVEN a state dir whose snapshot is not one
    (tmp_path / "state.pickle").write_bytes(b"not a snapshot")

    # WHEN the cloud is started on it
    result = _localcloud("up", "--port", "0", "--data-port", "0", "--state-dir", str(tmp_path))

    # THEN it refuses, says how to go on, and leaves the file for inspection
    assert result.returncode == 1
    assert "cannot read the state snapshot" in result.stderr and "localcloud reset" in result.stderr
    assert (tmp_path / "state.pickle").read_bytes() == b"not a snapshot"
