"""Run the local cloud as a background process for scripts and tests, and stop it afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from localcloud.server import HEALTH_PATH


class LocalCloudStartError(RuntimeError):
    """The local cloud did not come up; the message carries the end of its log."""


@dataclass(frozen=True)
class RunningCloud:
    endpoint_url: str
    data_address: str
    ca_bundle: Path
    state_dir: Path
    region: str = "us-east-1"

    def env(self) -> dict[str, str]:
        """What a client process (sam, aws, bluegreen, curl wrappers) needs to talk to this cloud."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "BLUEGREEN_CONNECT_TO": self.data_address,
            "BLUEGREEN_CA_BUNDLE": str(self.ca_bundle),
        }

    def curl_args(self) -> list[str]:
        """curl options that reach the data plane with any URL from the stack outputs."""
        return ["--connect-to", f"::{self.data_address}", "--cacert", str(self.ca_bundle)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _control_plane_answers(endpoint_url: str) -> bool:
    try:
        return requests.get(f"{endpoint_url}{HEALTH_PATH}", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def local_cloud(
    state_dir: Path,
    *,
    port: int | None = None,
    data_port: int | None = None,
    startup_timeout: float = 60.0,
    ephemeral: bool = True,
) -> Iterator[RunningCloud]:
    """Start `localcloud up` on free ports (unless given), wait until both planes answer, stop on exit.

    Ephemeral by default: tests, the demo and the benchmark start from nothing and leave no snapshot.
    """
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    data_port = data_port or free_port()
    log_path = state_dir / "localcloud.log"
    command = [
        sys.executable,
        "-m",
        "localcloud.cli",
        "up",
        "--port",
        str(port),
        "--data-port",
        str(data_port),
        "--state-dir",
        str(state_dir),
        *(["--ephemeral"] if ephemeral else []),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    cloud = RunningCloud(
        endpoint_url=f"http://localhost:{port}",
        data_address=f"localhost:{data_port}",
        ca_bundle=state_dir / "ca.pem",
        state_dir=state_dir,
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while not (_control_plane_answers(cloud.endpoint_url) and _port_open(data_port)):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise LocalCloudStartError(f"local cloud did not start ({' '.join(command)}):\n{tail}")
            time.sleep(0.1)
        yield cloud
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the whole group: the server and its Lambda workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
