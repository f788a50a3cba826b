"""One local cloud with the whole pet store deployed, shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localcloud.flow import Commands, deploy_petstore
from localcloud.launcher import local_cloud


@pytest.fixture(scope="session")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commands]:
    """The data stack, then blue and green deployed with `make deploy-*` and smoke-tested, the custom domain
    pointing at blue."""
    with local_cloud(Path(tmp_path_factory.mktemp("e2e-cloud"))) as cloud:
        commands = Commands(cloud, quiet=True)
        deploy_petstore(commands)
        yield commands


@pytest.fixture
def live_on_blue(petstore: Commands) -> Iterator[Commands]:
    """Each test starts and must end with blue live, so tests do not depend on their order."""
    assert petstore.live() == ("blue", "v1.0.0")
    yield petstore
    if petstore.live() != ("blue", "v1.0.0"):
        petstore.run("bluegreen", "switch", "blue", "--yes")
