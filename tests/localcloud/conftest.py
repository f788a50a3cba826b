"""The local cloud's patches stay inside the test module that installed them.

Patches are process-wide; without this, tests collected after a local-cloud module (tests/unit, ...) would run
against the patched moto instead of plain moto.
"""

from collections.abc import Iterator

import pytest

from localcloud import extensions


@pytest.fixture(autouse=True, scope="module")
def _plain_moto_after_each_module() -> Iterator[None]:
    yield
    extensions.uninstall()
