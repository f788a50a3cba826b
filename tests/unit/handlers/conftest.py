"""Fixtures: each color's bundle imported in isolation, and a call-the-handler helper."""

import sys
from pathlib import Path

# tests/unit is not a package, so pytest does not put the repository root on sys.path for us.
_REPO_ROOT = str(Path(__file__).resolve().parents[3])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

import pytest  # noqa: E402

from tests.handler_loader import COLORS, Bundle, load_bundle  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


@pytest.fixture(params=COLORS)
def bundle(request: pytest.FixtureRequest) -> Bundle:
    """Each test using this runs once per color: the behaviour both releases share."""
    return load_bundle(request.param)


@pytest.fixture
def blue() -> Bundle:
    return load_bundle("blue")


@pytest.fixture
def green() -> Bundle:
    return load_bundle("green")
