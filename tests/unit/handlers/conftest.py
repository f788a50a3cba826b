"""Fixtures: each color's bundle imported in isolation, and a call-the-handler helper."""

import pytest

from tests.handler_loader import COLORS, Bundle, load_bundle
from tests.order_tables import order_tables  # noqa: F401  (autouse: the data stack's tables, in moto)

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
