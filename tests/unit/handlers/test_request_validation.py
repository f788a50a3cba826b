"""The handler's request validation decides exactly as Powertools' own, only reading less.

`StrictJSONValidation.handler` skips the kinds of parameters a route does not declare and works out
each parameter's kind once. Each request below is served twice, once through it and once through
Powertools' own handler (with the same strict body reading), and both answers must be the same: a
Powertools upgrade that changes how requests are validated fails here instead of drifting apart.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.events import EVENTS_DIR, load_event, make_event
from tests.handler_loader import Bundle, HttpReply, invoke

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

STORED_EVENTS = sorted(path.stem for path in EVENTS_DIR.glob("*.json") if not path.stem.startswith("_"))
ORDER = json.dumps({"id": 1, "name": "Buddy"})
BUILT_EVENTS = {
    "synthetic header, lower case": make_event(
        "POST", "/orders", body=ORDER, headers={"x-synthetic-order": "true"}
    ),
    "synthetic header, not a boolean": make_event(
        "POST", "/orders", body=ORDER, headers={"X-Synthetic-Order": "maybe"}
    ),
    # Header names are read without regard to case, also when the route's headers look absent.
    "synthetic header, upper case, not a boolean": make_event(
        "POST", "/orders", body=ORDER, headers={"X-SYNTHETIC-ORDER": "maybe"}
    ),
    "idempotency key, upper case, malformed": make_event(
        "POST", "/orders", body=ORDER, headers={"IDEMPOTENCY-KEY": "has space"}
    ),
    "idempotency key, malformed": make_event(
        "POST", "/orders", body=ORDER, headers={"Idempotency-Key": "has space"}
    ),
    "idempotency key, too long": make_event(
        "POST", "/orders", body=ORDER, headers={"Idempotency-Key": "k" * 129}
    ),
    "path parameter, malformed": make_event("GET", "/orders/ORD-nothex"),
    "path parameter, unknown": make_event("GET", "/orders/ORD-00000000"),
    "pet id, zero": make_event("GET", "/pets/0"),
    "pet id, too big": make_event("GET", "/pets/99999999999999999999"),
    "query, repeated": make_event("GET", "/pets", query={"status": ["available", "sold"]}),
    "query, empty value": make_event("GET", "/pets", query={"category": [""]}),
    "query, a name in another case": make_event("GET", "/pets", query={"STATUS": ["bogus"]}),
    "query, valid pair": make_event("GET", "/pets", query={"status": ["available"], "category": ["dog"]}),
}


def comparable(reply: HttpReply) -> tuple[int, Any]:
    """Status, and the body of a refusal; a success carries fresh numbers and times on each call."""
    return reply.status, reply.json() if reply.status >= 400 else None


@pytest.fixture
def powertools_handler(bundle: Bundle) -> Iterator[None]:
    """While active, the app validates with Powertools' own handler (and the same strict body reading)."""
    middleware = bundle.app.app._request_validation_middleware
    base = type(middleware).__mro__[1]
    assert base.__name__ == "OpenAPIRequestValidationMiddleware"
    middleware.handler = base.handler.__get__(middleware)
    yield
    del middleware.handler


def both_answers(
    bundle: Bundle, event: dict[str, Any], request: pytest.FixtureRequest
) -> list[tuple[int, Any]]:
    ours = comparable(invoke(bundle, event))
    request.getfixturevalue("powertools_handler")
    return [ours, comparable(invoke(bundle, event))]


@pytest.mark.parametrize("name", STORED_EVENTS)
def test_stored_requests_get_the_answer_powertools_gives(
    bundle: Bundle, name: str, request: pytest.FixtureRequest
) -> None:
    ours, theirs = both_answers(bundle, load_event(name), request)
    assert ours == theirs


@pytest.mark.parametrize("name", BUILT_EVENTS)
def test_parameter_edge_cases_get_the_answer_powertools_gives(
    bundle: Bundle, name: str, request: pytest.FixtureRequest
) -> None:
    ours, theirs = both_answers(bundle, BUILT_EVENTS[name], request)
    assert ours == theirs
