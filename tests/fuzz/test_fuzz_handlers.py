"""Property: no request at all makes either release answer 5xx, non-JSON or off its OpenAPI document.

At least 10,000 generated requests per color go in-process through lambda_handler. Each Hypothesis
example sends a few requests drawn value by value from the strategies (shrinkable), then a batch
expanded from a Random seeded by a Hypothesis-drawn integer (reproducible and replayed on failure):
drawing every request value by value costs about 10 ms each here, which would blow the time budget.
"""

import random
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.checks import assert_well_formed
from tests.fuzz.random_requests import RandomRequests
from tests.fuzz.strategies import api_events
from tests.handler_loader import Bundle

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

REQUESTS_PER_COLOR = 10_000
DRAWN_PER_EXAMPLE = 2
EXPANDED_PER_EXAMPLE = 18
EXAMPLES = REQUESTS_PER_COLOR // (DRAWN_PER_EXAMPLE + EXPANDED_PER_EXAMPLE) + 10
EVERY_KIND_OF_ANSWER = {200, 201, 400, 404, 405, 409, 413, 415, 422}


def test_no_request_breaks_the_contract(bundle: Bundle) -> None:
    drawn: list[int] = []
    statuses: dict[int, int] = {}

    def send(event: dict[str, Any]) -> None:
        reply = assert_well_formed(bundle, event)
        statuses[reply.status] = statuses.get(reply.status, 0) + 1

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(
        events=st.lists(api_events(), min_size=DRAWN_PER_EXAMPLE, max_size=DRAWN_PER_EXAMPLE),
        seed=st.integers(min_value=0, max_value=2**64 - 1),
    )
    def run(events: list[dict[str, Any]], seed: int) -> None:
        for event in events:
            send(event)
            drawn.append(1)
        generator = RandomRequests(random.Random(seed))
        for _ in range(EXPANDED_PER_EXAMPLE):
            send(generator.event())

    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    total = sum(statuses.values())
    print(
        f"\n{bundle.color}: {total} generated requests ({len(drawn)} drawn value by value) "
        f"in {elapsed:.1f} s; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert total >= REQUESTS_PER_COLOR
    # The generators must reach every kind of answer, or they do not test what they claim to.
    assert set(statuses) >= EVERY_KIND_OF_ANSWER
