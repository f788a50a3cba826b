"""`localcloud up` as users run it: a subprocess on free ports that boto3, awscli and curl reach."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.deploy import client as fixture_client
from fixtures.deploy import deploy_api as deploy_fixture_api

from localcloud.launcher import local_cloud as start_local_cloud
from localcloud.server import HEALTH_PATH

pytestmark = pytest.mark.localcloud

REGION = "us-east-1"
DOMAIN = "api.petstore.example.com"


def client(cloud: Any, service: str) -> Any:
    return fixture_client(cloud.endpoint_url, service)


def deploy_api(cloud: Any, name: str) -> tuple[str, str]:
    return deploy_fixture_api(cloud.endpoint_url, name)


def curl(cloud: Any, url: str) -> tuple[int, dict[str, Any]]:
    result = subprocess.run(
        ["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code}", *cloud.curl_args(), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    body, _, status = result.stdout.rpartition("\n")
    return int(status), json.loads(body)


def test_health_and_env_file_describe_the_running_cloud(local_cloud: Any) -> None:
    health = requests.get(f"{local_cloud.endpoint_url}{HEALTH_PATH}", timeout=5).json()
    env_file = (local_cloud.state_dir / "env").read_text()

    assert health["status"] == "ready"
    assert health["dataAddress"] == local_cloud.data_address
    assert f"export AWS_ENDPOINT_URL={local_cloud.endpoint_url}\n" in env_file
    assert f"export BLUEGREEN_CONNECT_TO={local_cloud.data_address}\n" in env_file
    assert f"export BLUEGREEN_CA_BUNDLE={local_cloud.ca_bundle}\n" in env_file
    assert local_cloud.ca_bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reaches_a_stage_url_through_connect_to(local_cloud: Any) -> None:
    api, _ = deploy_api(local_cloud, "curl-stage")

    status, body = curl(local_cloud, f"https://{api}.execute-api.{REGION}.amazonaws.com/live/pets?x=1")

    assert status == 200
    assert body["event"]["path"] == "/pets"
    assert body["event"]["requestContext"]["path"] == "/live/pets"
    assert body["event"]["queryStringParameters"] == {"x": "1"}


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reaches_a_custom_domain_and_follows_a_switch(local_cloud: Any) -> None:
    blue, _ = deploy_api(local_cloud, "domain-blue")
    green, _ = deploy_api(local_cloud, "domain-green")
    apigw = client(local_cloud, "apigateway")
    apigw.create_domain_name(
        domainName=DOMAIN,
        regionalCertificateArn=client(local_cloud, "acm").request_certificate(
            DomainName=DOMAIN, ValidationMethod="DNS"
        )["CertificateArn"],  # issued on its next read: the local cloud validates DNS at once
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_2",
    )
    apigw.create_base_path_mapping(domainName=DOMAIN, restApiId=blue, stage="live")

    before = curl(local_cloud, f"https://{DOMAIN}/pets")
    apigw.update_base_path_mapping(
        domainName=DOMAIN,
        basePath="(none)",
        patchOperations=[{"op": "replace", "path": "/restapiId", "value": green}],
    )
    after = curl(local_cloud, f"https://{DOMAIN}/pets")

    assert before[0] == after[0] == 200
    assert before[1]["event"]["requestContext"]["apiId"] == blue
    assert after[1]["event"]["requestContext"]["apiId"] == green


def test_boto3_and_awscli_invoke_run_the_deployed_code(local_cloud: Any, tmp_path: Path) -> None:
    deploy_api(local_cloud, "invoke-me")
    lam = client(local_cloud, "lambda")

    first = json.loads(
        lam.invoke(FunctionName="invoke-me", Payload=b'{"queryStringParameters": null}')["Payload"].read()
    )
    out = tmp_path / "out.json"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "aws"),
            "lambda",
            "invoke",
            "--function-name",
            "invoke-me",
            "--payload",
            "{}",
            str(out),
        ],
        env=local_cloud.env,
        check=True,
        capture_output=True,
        timeout=60,
    )

    assert first["statusCode"] == 200
    assert json.loads(out.read_text())["statusCode"] == 200


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, waiting for its parent to reap it


def test_sigterm_stops_the_cloud_its_workers_and_frees_the_ports(tmp_path: Path) -> None:
    with start_local_cloud(tmp_path / "state") as cloud:
        deploy_api(cloud, "stopper")
        client(cloud, "lambda").invoke(FunctionName="stopper", Payload=b"{}")
        worker_pids = [int(pid) for pid in _worker_pids(cloud.state_dir)]
        control_port = int(cloud.endpoint_url.rsplit(":", 1)[1])
        data_port = int(cloud.data_address.rsplit(":", 1)[1])
        assert worker_pids, "a warm worker should be running after an invoke"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_process_gone(pid) for pid in worker_pids):
        time.sleep(0.1)

    assert all(_process_gone(pid) for pid in worker_pids)
    assert _port_free(control_port) and _port_free(data_port)


def _worker_pids(state_dir: Path) -> list[str]:
    """Workers are the processes whose command line names the runtime's worker script and this state dir."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(part.endswith(b"lambda_runtime/worker.py") for part in cmdline) and any(
            str(state_dir.resolve()).encode() in part for part in cmdline
        ):
            found.append(proc.name)
    return found


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "localcloud.cli",
                "up",
                "--port",
                str(port),
                "--data-port",
                "0",
                "--state-dir",
                str(tmp_path / "state"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    assert result.returncode == 1
    assert "in use" in result.stderr


def test_ctrl_c_to_the_terminal_group_exits_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localcloud.cli",
            "up",
            "--port",
            "0",
            "--data-port",
            "0",
            "--state-dir",
            str(state),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()  # "localcloud is up: control plane http://localhost:N, ..."
        endpoint_url = first_line.split("control plane ", 1)[1].split(",", 1)[0]
        deploy_fixture_api(endpoint_url, "ctrl-c")
        fixture_client(endpoint_url, "lambda").invoke(FunctionName="ctrl-c")
        workers = [int(pid) for pid in _worker_pids(state)]

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
        returncode = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert workers
    assert returncode == 0
    assert all(_process_gone(pid) for pid in workers)


# Starts the server in a fresh interpreter, as `localcloud up` does, and prints how many objects the
# collector had frozen before and after start() (a fresh interpreter: the test process's freeze is its own).
_FREEZE_PROBE = """
import gc, json, sys
from pathlib import Path
from localcloud.server import LocalCloud, ServerConfig
cloud = LocalCloud(ServerConfig(port=0, data_port=0, state_dir=Path(sys.argv[1]), ephemeral=True))
before = gc.get_freeze_count()
cloud.start()
try:
    print(json.dumps({"before": before, "after": gc.get_freeze_count()}))
finally:
    cloud.stop()
"""


def test_starting_freezes_what_it_made_out_of_the_collectors_reach(tmp_path: Path) -> None:
    # GIVEN a fresh interpreter WHEN the server starts
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    result = subprocess.run(
        [sys.executable, "-c", _FREEZE_PROBE, str(tmp_path / "state")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )

    # THEN what starting made (moto, botocore's models, the runtime) is frozen: a full collection, which
    # holds the GIL while every request waits, no longer walks it
    assert result.returncode == 0, result.stderr[-2000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["before"] == 0
    assert counts["after"] > 100_000
