"""Warming before the flip, against the local cloud with the real commands and steady load: the switch
reads the live color's ConcurrentExecutions, warms the target to it on its own URL and records it."""

from __future__ import annotations

import json
import time

import pytest

from bluegreen.config import Project
from localcloud.flow import LIVE_URL, REPO, Commands
from localcloud.zero_downtime import LiveLoad

pytestmark = pytest.mark.e2e

CLIENTS = 3


def test_switch_warms_green_to_blues_concurrency_before_the_flip(live_on_blue: Commands) -> None:
    cloud = live_on_blue.cloud
    # GIVEN blue live serving 3 concurrent clients (its ConcurrentExecutions peak is at least 3)
    with LiveLoad(f"{LIVE_URL}/health", CLIENTS, cloud.data_address, str(cloud.ca_bundle)) as load:
        time.sleep(1.0)
        # WHEN the operator switches to green, under that load
        flip = time.time()
        result = live_on_blue.run("bluegreen", "switch", "green", "--yes", "--json")
        time.sleep(1.0)
    try:
        outcome = json.loads(result.stdout)
        warm = outcome["measurements"]["warm"]
        print(f"warm: {warm}")
        # THEN green was warmed on its own URL to blue's peak (under the local env's cap), every
        # simultaneous request answered by green
        cap = Project(REPO, "local").switch_settings().warm_cap
        assert warm["color"] == "green" and warm["function"].startswith("petstore-blue")
        assert warm["live_peak"] >= CLIENTS and warm["target"] == min(cap, warm["live_peak"])
        assert warm["answered"] == warm["target"] and warm["errors"] == {}
        assert "warm" in outcome["durations"]  # the wait for the warm-up, which ran alongside the preflight
        # AND every request after the switch began was answered (its latency is measured by `make bench`)
        after = [s for s in load.samples if s.started >= flip]
        assert after and all(s.status == 200 for s in after)
        slowest = max(after, key=lambda s: s.seconds)
        print(f"{len(after)} requests after the switch began, slowest {slowest.seconds * 1000:.0f} ms")
    finally:
        live_on_blue.run("bluegreen", "switch", "blue", "--yes")
