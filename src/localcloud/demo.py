"""`make demo`: the whole blue/green flow on a fresh local cloud, with the commands users type.

Each step runs the README's make target (which runs the real `sam deploy`, `bluegreen` and the
smoke suite), then asks the live hostname with plain curl which color serves it. The demo exits 0
only if every step held.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from localcloud.flow import Commands, StepFailed
from localcloud.launcher import LocalCloudStartError, local_cloud

Live = tuple[str, str] | None


@dataclass(frozen=True)
class Step:
    title: str
    commands: list[list[str]]
    expect_live: Live  # what the live hostname must answer after the step
    requests: list[Callable[[Commands], None]] = field(default_factory=list)  # curl on the live hostname


@dataclass
class Customer:
    """An order placed on blue through the live hostname before the switch, read back after it."""

    confirmation_number: str = ""

    def order(self, commands: Commands) -> None:
        placed = commands.curl("POST", "/orders", body='{"id": 1, "name": "Buddy"}')
        number = placed.get("confirmationNumber") if isinstance(placed, dict) else None
        if not isinstance(number, str) or placed.get("environment") != "blue":
            raise StepFailed(f"the order was not placed on blue: {placed}")
        self.confirmation_number = number

    def read_back(self, commands: Commands) -> None:
        read = commands.curl("GET", f"/orders/{self.confirmation_number}")
        if not isinstance(read, dict) or read.get("confirmationNumber") != self.confirmation_number:
            raise StepFailed(f"order {self.confirmation_number} placed on blue was not read back: {read}")


def preview_answers_green(commands: Commands) -> None:
    answer = commands.curl("GET", "/health", headers={"X-Bluegreen-Preview": "green"})
    if not isinstance(answer, dict) or answer.get("environment") != "green":
        raise StepFailed(f"the preview header did not reach green: {answer}")


def ten_steps() -> list[Step]:
    blue, green = ("blue", "v1.0.0"), ("green", "v2.0.0")
    smoke_live = ["bluegreen", "smoke", "live", "--expect-color"]
    customer = Customer()
    return [
        Step("Deploy the data stack (switch lock and history, orders)", [["make", "deploy-data"]], None),
        Step("Deploy blue", [["make", "deploy-blue"]], None),
        Step("Smoke-test blue on its own URL", [["make", "smoke", "TARGET=blue"]], None),
        Step("Deploy the custom domain pointing at blue", [["make", "deploy-domain", "COLOR=blue"]], blue),
        Step(
            "Smoke-test the live hostname: blue v1.0.0; a customer orders on blue",
            [[*smoke_live, "blue", "--expect-version", "v1.0.0"]],
            blue,
            [customer.order],
        ),
        Step("Deploy green", [["make", "deploy-green"]], blue),
        Step(
            "Smoke-test green on its own URL while live traffic stays on blue",
            [["make", "smoke", "TARGET=green"]],
            blue,
        ),
        Step(
            "Preview green on the live hostname (header X-Bluegreen-Preview: green); others stay on blue",
            [["make", "preview", "COLOR=green"]],
            blue,
            [preview_answers_green],
        ),
        Step(
            "Switch live traffic to green (verified, auto-rollback on failure)",
            [["make", "switch", "COLOR=green"]],
            green,
        ),
        Step(
            "The live hostname answers green v2.0.0; green reads the order placed on blue",
            [[*smoke_live, "green", "--expect-version", "v2.0.0"]],
            green,
            [customer.read_back],
        ),
        Step(
            "Roll back: live traffic returns to blue",
            [["make", "rollback"], [*smoke_live, "blue", "--expect-version", "v1.0.0"]],
            blue,
        ),
        Step(
            "Decommission the idle color (green); clean up the rest in reverse order",
            [
                ["bluegreen", "decommission", "green", "--yes", "--force"],
                ["make", "history"],
                ["make", "delete-domain"],
                ["make", "delete-blue"],
            ],
            None,
        ),
    ]


def _banner(text: str) -> None:
    print(f"\n\033[1m{text}\033[0m", flush=True)


def walk(commands: Commands, steps: list[Step], clock: Callable[[], float] = time.monotonic) -> None:
    for number, step in enumerate(steps, start=1):
        _banner(f"Step {number}/{len(steps)}: {step.title}")
        began = clock()
        for command in step.commands:
            commands.run(*command)
        for request in step.requests:
            request(commands)
        live = commands.live()
        shown = f"{live[0]} {live[1]}" if live else "nothing (no custom domain)"
        print(f"-> live: {shown}   ({clock() - began:.1f} s)", flush=True)
        if live != step.expect_live:
            raise StepFailed(f"step {number}: live should be {step.expect_live}, is {live}")


def main() -> int:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="localcloud-demo-") as state:
        try:
            _banner("Starting the local cloud")
            with local_cloud(Path(state)) as cloud:
                print(f"control plane {cloud.endpoint_url}, data plane https://{cloud.data_address}")
                commands = Commands(cloud)
                commands.bootstrap()
                walk(commands, ten_steps())
        except (StepFailed, LocalCloudStartError) as failure:
            print(f"\ndemo FAILED: {failure}", file=sys.stderr)
            return 1
    _banner(f"All steps held in {time.monotonic() - began:.0f} s; the local cloud is stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
