import pytest

from tests.handler_loader import COLORS, Bundle, load_bundle


@pytest.fixture(params=COLORS)
def bundle(request: pytest.FixtureRequest) -> Bundle:
    return load_bundle(request.param)
