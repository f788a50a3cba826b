"""Every real response of each color validates against that color's OpenAPI document."""

import itertools

import pytest

from tests.contract.openapi_contract import contract_for
from tests.events import EVENTS_DIR, load_event, make_event
from tests.handler_loader import Bundle, invoke

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

STORED_EVENTS = sorted(path.stem for path in EVENTS_DIR.glob("*.json") if not path.stem.startswith("_"))
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
PATHS = (
    "/",
    "/health",
    "/health/",
    "/pets",
    "/pets/1",
    "/pets/4",
    "/pets/x",
    "/pets/1/x",
    "/orders",
    "/Pets",
)
ORDER_BODIES = (
    '{"id":1,"name":"Buddy"}',
    '{"id":2,"name":"Whiskers"}',
    '{"id":4,"name":"Bella"}',
    '{"id":3,"name":"Charlie"}',
)


@pytest.mark.parametrize("name", STORED_EVENTS)
def test_stored_event_response_is_documented(bundle: Bundle, name: str) -> None:
    event = load_event(name)
    contract_for(bundle.color).check(event["httpMethod"], event["path"], invoke(bundle, event))


@pytest.mark.parametrize(("method", "path"), list(itertools.product(METHODS, PATHS)))
def test_every_method_on_every_path_is_documented(bundle: Bundle, method: str, path: str) -> None:
    event = make_event(method, path, body='{"id":1,"name":"Buddy"}' if method == "POST" else None)
    contract_for(bundle.color).check(method, path, invoke(bundle, event))


@pytest.mark.parametrize("body", ORDER_BODIES)
def test_order_outcomes_are_documented(bundle: Bundle, body: str) -> None:
    contract_for(bundle.color).check(
        "POST", "/orders", invoke(bundle, make_event("POST", "/orders", body=body))
    )
