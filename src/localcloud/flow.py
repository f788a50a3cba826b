"""Steps shared by the demo, the benchmark and the end-to-end tests: run the product's own
commands against a running cloud and read what happened from CloudFormation and the live URL."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3

from localcloud.launcher import RunningCloud

REPO = Path(__file__).resolve().parents[2]
LIVE_URL = "https://api.petstore.example.com"
DOMAIN_STACK = "petstore-custom-domain"
DATA_STACK = "petstore-data"
BOOTSTRAP_BUCKET = "petstore-sam-artifacts-local"


# Nothing in the caller's environment may steer a command towards a real AWS account.
_REAL_AWS_SETTINGS = frozenset(
    {
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    }
)


class StepFailed(RuntimeError):
    """A command of the flow failed, or the live color is not what the step promised."""


@dataclass(frozen=True)
class Commands:
    """Runs the commands a user types, with the environment that points them at `cloud`."""

    cloud: RunningCloud
    quiet: bool = False
    # Each command in a session of its own, as typed in an operator's terminal: with the kernel's
    # autogroup scheduling a session shares the CPU as one, so a command sharing this process's session
    # would also share the CPU with whatever load this process generates.
    own_session: bool = False

    def env(self) -> dict[str, str]:
        venv_bin = str(Path(sys.executable).parent)
        inherited = {name: value for name, value in os.environ.items() if name not in _REAL_AWS_SETTINGS}
        return {
            **inherited,
            **self.cloud.env(),
            "CONFIG_ENV": "local",
            "BLUEGREEN_CONFIG_ENV": "local",
            "SAM_CLI_TELEMETRY": "0",
            "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        }

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        if not self.quiet:
            print(f"$ {shlex.join(command)}", flush=True)
        result = subprocess.run(
            list(command),
            cwd=REPO,
            env=self.env(),
            text=True,
            capture_output=self.quiet,
            check=False,
            stdin=subprocess.DEVNULL,
            start_new_session=self.own_session,
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout or "").strip().splitlines()[-5:] if self.quiet else []
            raise StepFailed(
                f"`{shlex.join(command)}` exited {result.returncode}"
                + "".join(f"\n  {line}" for line in detail)
            )
        return result

    def bootstrap(self) -> None:
        self.run(
            sys.executable,
            "-m",
            "localcloud.cli",
            "bootstrap",
            "--domain",
            "api.petstore.example.com",
            "--bucket",
            BOOTSTRAP_BUCKET,
        )

    def curl(self, method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None) -> Any:
        """`curl` on the live hostname as a user types it (printed); the JSON answer, or StepFailed."""
        options = ["-sS", "--max-time", "10", "-X", method]
        for name, value in (headers or {}).items():
            options += ["-H", f"{name}: {value}"]
        if body:
            options += ["-H", "Content-Type: application/json", "--data", body]
        shown = ["curl", *options, f"{LIVE_URL}{path}"]
        if not self.quiet:
            print(f"$ {shlex.join(shown)}", flush=True)
        result = subprocess.run(
            ["curl", *options, *self.cloud.curl_args(), f"{LIVE_URL}{path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if not self.quiet:
            print(result.stdout.strip(), flush=True)
        try:
            return json.loads(result.stdout)
        except ValueError:
            raise StepFailed(f"`{shlex.join(shown)}` answered no JSON: {result.stderr.strip()}") from None

    def live(self) -> tuple[str, str] | None:
        """(color, version) the live hostname answers with, asked with plain curl; None if nothing is live."""
        result = subprocess.run(
            ["curl", "-sS", "--max-time", "10", *self.cloud.curl_args(), f"{LIVE_URL}/health"],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            body = json.loads(result.stdout)
        except ValueError:
            return None
        if result.returncode != 0 or "environment" not in body:
            return None
        return str(body["environment"]), str(body["version"])


def deploy_petstore(commands: Commands) -> None:
    """The data stack first, then both colors deployed and smoke-tested on their own URLs, the custom domain
    pointing at blue."""
    commands.bootstrap()
    for target in (["deploy-data"], ["deploy-blue"], ["deploy-green"], ["deploy-domain", "COLOR=blue"]):
        commands.run("make", *target)
    for color in ("blue", "green"):  # as the flow does before any switch; it also warms each color
        commands.run("make", "smoke", f"TARGET={color}")


def cloudformation(cloud: RunningCloud) -> Any:
    env = cloud.env()
    return boto3.client(
        "cloudformation",
        endpoint_url=cloud.endpoint_url,
        region_name=cloud.region,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def _describe(cloud: RunningCloud, stack_name: str) -> Any:
    return cloudformation(cloud).describe_stacks(StackName=stack_name)["Stacks"][0]


def stack_parameters(cloud: RunningCloud, stack_name: str) -> dict[str, str]:
    parameters = _describe(cloud, stack_name).get("Parameters", [])
    return {p["ParameterKey"]: p["ParameterValue"] for p in parameters}


def stack_outputs(cloud: RunningCloud, stack_name: str) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in _describe(cloud, stack_name).get("Outputs", [])}


def stack_update_window(cloud: RunningCloud, stack_name: str, since: float) -> tuple[float, float]:
    """(executed, completed) wall-clock times of the stack's first update after `since` that moved the live
    mapping (a switch also updates the stack to set its preview; that update does not count). No margin
    before `since`: the previous command's flip can end less than a second before this one starts, and
    the cloud's clock is this machine's."""
    client = cloudformation(cloud)
    events = client.describe_stack_events(StackName=stack_name)["StackEvents"]
    own = [e for e in events if e["LogicalResourceId"] == stack_name]
    started = [_epoch(e["Timestamp"]) for e in own if e["ResourceStatus"] == "UPDATE_IN_PROGRESS"]
    completed = [_epoch(e["Timestamp"]) for e in own if e["ResourceStatus"] == "UPDATE_COMPLETE"]
    moved = [
        _epoch(e["Timestamp"])
        for e in events
        if e["LogicalResourceId"] == "LiveMapping" and e["ResourceStatus"] == "UPDATE_IN_PROGRESS"
    ]
    first_move = min((t for t in moved if t >= since), default=None)
    window = [t for t in started if first_move is not None and since <= t <= first_move]
    began = max(window, default=None)
    ended = min((t for t in completed if began is not None and t >= began), default=None)
    if began is None or ended is None:
        raise StepFailed(f"no completed update of {stack_name} after {time.ctime(since)}")
    return began, ended


def _epoch(value: datetime) -> float:
    return value.timestamp()
