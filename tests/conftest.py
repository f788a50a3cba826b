"""Shared fixtures: `local_cloud` runs `localcloud up` as a subprocess for the whole session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from localcloud.launcher import local_cloud as start_local_cloud

VENV_BIN = str(Path(sys.executable).parent)
SRC = str(Path(__file__).resolve().parents[1] / "src")


@dataclass(frozen=True)
class LocalCloud:
    """A running local cloud and what a subprocess (sam, aws, bluegreen, curl) needs to use it."""

    endpoint_url: str
    data_address: str  # "localhost:<port>", for curl --connect-to ::<data_address>
    ca_bundle: Path
    state_dir: Path
    env: dict[str, str] = field(repr=False)

    def curl_args(self) -> list[str]:
        return ["--connect-to", f"::{self.data_address}", "--cacert", str(self.ca_bundle)]


@pytest.fixture(scope="session")
def local_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    """One `localcloud up` on free ports with a temporary state dir; stopped (workers too) at session end."""
    with start_local_cloud(tmp_path_factory.mktemp("localcloud")) as cloud:
        env = {**os.environ, **cloud.env()}
        env["PATH"] = os.pathsep.join([VENV_BIN, env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
            env.pop(name, None)  # nothing may steer a subprocess towards real AWS
        yield LocalCloud(cloud.endpoint_url, cloud.data_address, cloud.ca_bundle, cloud.state_dir, env)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests using the local cloud carry the `localcloud` marker, so `-m "not localcloud"` works."""
    for item in items:
        if "local_cloud" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.localcloud)
