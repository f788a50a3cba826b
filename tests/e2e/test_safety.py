"""The faults the switch's safety machinery exists for, against the local cloud with the real commands:
a killed switch, a color broken only behind the custom domain, a deploy racing a switch, a transient 5xx
from the control plane, deleting the domain or the live color.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from localcloud.flow import DOMAIN_STACK, REPO, Commands, cloudformation

pytestmark = pytest.mark.e2e

ROLLBACK_TARGET_SECONDS = 90.0  # after a kill -9, `rollback --yes` must succeed within this


def history(commands: Commands, limit: int = 200) -> list[dict[str, object]]:
    records: list[dict[str, object]] = json.loads(
        commands.run("bluegreen", "--json", "history", "--limit", str(limit)).stdout
    )
    return records


def start(commands: Commands, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A command in the background, its output line by line as it happens."""
    return subprocess.Popen(
        list(argv),
        cwd=REPO,
        env={**commands.env(), "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 120.0) -> list[str]:
    """Lines up to and including the first one containing `marker`."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
        assert time.monotonic() < deadline, f"no {marker!r} within {timeout}s:\n" + "\n".join(lines)
    raise AssertionError(f"exited {process.wait()} before {marker!r}:\n" + "\n".join(lines))


# --- kill -9 at each phase ------------------------------------------------------------------------------

KILL_AT = {
    "preflight": "== preflight",
    "change": "  parameter ActiveApiId: ",  # change set created; executing right after
    "verify": "== verify",
    "bake": "== bake",
}


@pytest.mark.parametrize("phase", list(KILL_AT))
def test_kill_9_at_any_phase_then_rollback_succeeds_without_a_manual_step(
    live_on_blue: Commands, phase: str
) -> None:
    # GIVEN a switch to green killed with SIGKILL in the middle of its phase
    switch = start(
        live_on_blue, "bluegreen", "switch", "green", "--yes", "--bake", "60", "--bake-interval", "1"
    )
    read_until(switch, KILL_AT[phase])
    os.kill(switch.pid, signal.SIGKILL)
    switch.wait(timeout=10)
    # WHEN the operator runs the emergency rollback right away
    began = time.monotonic()
    rollback = live_on_blue.run("bluegreen", "rollback", "--yes", check=False)
    took = time.monotonic() - began
    print(f"rollback after kill -9 in {phase}: exit {rollback.returncode} in {took:.1f}s")
    # THEN it takes the dead run's lock over, recovers it and leaves blue live, well within the target
    assert rollback.returncode == 0, rollback.stdout + rollback.stderr
    assert took < ROLLBACK_TARGET_SECONDS
    assert "is gone" in rollback.stdout  # the dead holder was detected, not waited out
    assert live_on_blue.live() == ("blue", "v1.0.0")
    interrupted = [r for r in history(live_on_blue, 5) if r["state"] == "INTERRUPTED"]
    assert interrupted and interrupted[0]["to_color"] == "green"
    status = json.loads(live_on_blue.run("bluegreen", "--json", "status", check=False).stdout)
    assert status["lock"] is None and status["ok"] is True, status["problems"]
    summaries = cloudformation(live_on_blue.cloud).list_change_sets(StackName=DOMAIN_STACK)["Summaries"]
    unexecuted = [c for c in summaries if c.get("ExecutionStatus") == "AVAILABLE"]
    assert [c["ChangeSetName"] for c in unexecuted if c["ChangeSetName"].startswith("bluegreen-")] == []


# --- a transient 5xx from the control plane during the change -------------------------------------------


class FlakyControlPlane(ThreadingHTTPServer):
    """Forwards to the local cloud; once a change set executes, every other stack read answers 503."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.executing = False
        self.injected = 0
        self.reads = 0
        self.lock = threading.Lock()
        super().__init__(("localhost", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.server_address[1]}"

    def should_fail(self, body: bytes) -> bool:
        with self.lock:
            if b"Action=ExecuteChangeSet" in body:
                self.executing = True
            if self.executing and (b"Action=DescribeStacks" in body or b"Action=DescribeStackEvents" in body):
                self.reads += 1
                if self.reads % 2 == 1:
                    self.injected += 1
                    return True
        return False


class _Forward(BaseHTTPRequestHandler):
    server: FlakyControlPlane

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        if self.server.should_fail(body):
            self.send_response(503)
            self.send_header("Content-Type", "text/xml")
            error = b"<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname or "localhost", upstream.port, timeout=60)
        headers = {key: value for key, value in self.headers.items() if key.lower() != "host"}
        headers["Host"] = upstream.netloc
        connection.request(self.command, self.path, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    def log_message(self, *args: object) -> None:  # quiet
        return


def test_a_transient_5xx_during_the_change_does_not_abort_the_switch(live_on_blue: Commands) -> None:
    # GIVEN the control plane answers 503 to every other stack read once the change set executes
    proxy = FlakyControlPlane(live_on_blue.cloud.endpoint_url)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        env = {**live_on_blue.env(), "AWS_ENDPOINT_URL": proxy.url}
        result = subprocess.run(
            ["bluegreen", "switch", "green", "--yes"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
    finally:
        proxy.shutdown()
    # THEN botocore retried them and the switch completed
    assert proxy.injected >= 1
    assert result.returncode == 0, result.stdout + result.stderr
    assert live_on_blue.live() == ("green", "v2.0.0")


# --- deleting the custom domain or the live color -------------------------------------------------------


def test_history_survives_make_delete_domain(live_on_blue: Commands) -> None:
    # GIVEN a history with at least one record
    live_on_blue.run("bluegreen", "switch", "green", "--yes")
    live_on_blue.run("bluegreen", "rollback", "--yes")
    before = history(live_on_blue)
    assert len(before) >= 2
    try:
        # WHEN the custom-domain stack is deleted
        live_on_blue.run("make", "delete-domain")
        assert live_on_blue.live() is None
        # THEN every record is still there
        after = history(live_on_blue)
        assert [r["record_id"] for r in after] == [r["record_id"] for r in before]
    finally:
        live_on_blue.run("make", "deploy-domain", "COLOR=blue")
    assert live_on_blue.live() == ("blue", "v1.0.0")


def test_make_delete_blue_on_live_is_refused_and_live_keeps_answering(live_on_blue: Commands) -> None:
    result = live_on_blue.run("make", "delete-blue", check=False)
    assert result.returncode != 0
    assert "refusing to delete blue: it is live" in result.stderr
    assert live_on_blue.live() == ("blue", "v1.0.0")
    assert (
        live_on_blue.run("bluegreen", "smoke", "live", "--expect-color", "blue", check=False).returncode == 0
    )


# --- a green that fails only behind the custom domain ---------------------------------------------------

BREAK_ORDERS_ON_THE_DOMAIN = """

# Injected by the end-to-end test: POST /orders fails only when called through the custom domain.
_real_lambda_handler = lambda_handler


def lambda_handler(event, context):  # type: ignore[no-redef]
    domain = (event.get("requestContext") or {}).get("domainName", "")
    ordering = event.get("httpMethod") == "POST" and event.get("path") == "/orders"
    if domain == "api.petstore.example.com" and ordering:
        headers = {"Content-Type": "application/json"}
        return {"statusCode": 500, "headers": headers, "body": '{"message": "fault"}'}
    return _real_lambda_handler(event, context)
"""


@pytest.fixture(scope="module")
def broken_green(petstore: Commands, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the project whose green handler breaks POST /orders behind the custom domain only; the
    real green is deployed again afterwards."""
    project = tmp_path_factory.mktemp("broken-green")
    for folder in ("samconfig", "stacks"):
        shutil.copytree(REPO / folder, project / folder)
    shutil.copytree(REPO / "src" / "green", project / "src" / "green")
    app = project / "src" / "green" / "app.py"
    app.write_text(app.read_text() + BREAK_ORDERS_ON_THE_DOMAIN)
    yield project
    petstore.run("bluegreen", "deploy", "green")


def deploy_broken_green(commands: Commands, project: Path) -> subprocess.Popen[str]:
    return start(commands, "bluegreen", "--project-dir", str(project), "deploy", "green")


def test_deploy_racing_a_switch_never_leaves_untested_code_live(
    live_on_blue: Commands, broken_green: Path
) -> None:
    # GIVEN `deploy green` (broken code) has built and is deploying under the lock
    deploy = deploy_broken_green(live_on_blue, broken_green)
    read_until(deploy, "== deploy", timeout=300)
    # WHEN a switch to green starts meanwhile THEN it is refused at once, naming the deploy
    racing = live_on_blue.run("bluegreen", "switch", "green", "--yes", check=False)
    rest = deploy.communicate(timeout=300)[0]
    assert racing.returncode == 1 and "`deploy green`" in racing.stderr, racing.stderr
    assert deploy.returncode == 0, rest
    assert live_on_blue.live() == ("blue", "v1.0.0")
    # AND the switch that follows tests the new code behind the live hostname, so it never goes live
    after = live_on_blue.run("bluegreen", "switch", "green", "--yes", check=False)
    assert after.returncode == 1 and "refused to switch to green" in after.stderr, after.stderr
    assert live_on_blue.live() == ("blue", "v1.0.0")


# A color broken only behind the domain is refused in preflight: see test_preview_switch.py.
