import pytest

from tests.handler_loader import COLORS, Bundle, load_bundle
from tests.order_tables import order_tables  # noqa: F401  (autouse: the data stack's tables, in moto)


@pytest.fixture(params=COLORS)
def bundle(request: pytest.FixtureRequest) -> Bundle:
    return load_bundle(request.param)
