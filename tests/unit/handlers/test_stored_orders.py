"""Orders outlive the color that placed them: stored once, read back by number, retried without duplicates."""

import json
import uuid
from typing import Any

import boto3
import pytest

from tests.events import make_event
from tests.handler_loader import (
    COLORS,
    RELEASE_VERSIONS,
    TEST_ENVIRONMENT,
    Bundle,
    HttpReply,
    import_bundle,
    invoke,
)
from tests.order_tables import ORDERS_TABLE, stored_order

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

BUDDY = {"id": 1, "name": "Buddy"}


def post_order(bundle: Bundle, body: dict[str, Any], **headers: str) -> HttpReply:
    return invoke(
        bundle,
        make_event(
            "POST",
            "/orders",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", **headers},
        ),
    )


def get_order(bundle: Bundle, number: str) -> HttpReply:
    return invoke(bundle, make_event("GET", f"/orders/{number}"))


def test_a_placed_order_is_stored_and_read_back_by_its_number(bundle: Bundle) -> None:
    # GIVEN an order placed through one color
    placed = post_order(bundle, BUDDY)
    assert placed.status == 201, placed.body
    number = placed.json()["confirmationNumber"]
    # WHEN it is read back by its confirmation number
    read = get_order(bundle, number)
    # THEN the same order comes back, and the table holds it as a real (not synthetic) order
    assert read.status == 200, read.body
    assert read.json() == placed.json()
    item = stored_order(number)
    assert item is not None and "synthetic" not in item
    assert item["data"]["M"]["id"] == {"N": "1"}


def test_an_order_placed_on_one_color_is_read_on_the_other(blue: Bundle, green: Bundle) -> None:
    on_blue = post_order(blue, BUDDY).json()
    on_green = post_order(green, BUDDY).json()
    assert get_order(green, on_blue["confirmationNumber"]).json() == on_blue
    assert get_order(blue, on_green["confirmationNumber"]).json() == on_green
    assert on_blue["version"] == RELEASE_VERSIONS["blue"] and on_green["version"] == RELEASE_VERSIONS["green"]


def test_an_unknown_order_is_a_json_404(bundle: Bundle) -> None:
    reply = get_order(bundle, "ORD-00000000")
    assert reply.status == 404
    assert reply.json() == {"message": "Order ORD-00000000 not found"}


@pytest.mark.parametrize(
    "number", ["ord-1234abcd", "ORD-123", "ORD-1234ABCDE", "x" * 5000, "%00", "ORD-GGGGGGGG"]
)
def test_a_malformed_confirmation_number_is_a_4xx_not_a_lookup(bundle: Bundle, number: str) -> None:
    reply = get_order(bundle, number)
    assert 400 <= reply.status < 500, reply.body
    assert reply.json()["message"]


def test_a_synthetic_order_is_marked_in_the_table(bundle: Bundle) -> None:
    # GIVEN a check's order (the switch's data gate) WHEN placed THEN it is stored marked synthetic
    placed = post_order(bundle, BUDDY, **{"X-Synthetic-Order": "true"})
    assert placed.status == 201
    item = stored_order(placed.json()["confirmationNumber"])
    assert item is not None and item["synthetic"] == {"BOOL": True}


@pytest.mark.parametrize("name", ["x-synthetic-order", "X-SYNTHETIC-ORDER"])
def test_header_parameters_are_read_whatever_their_case(bundle: Bundle, name: str) -> None:
    # GIVEN the synthetic-order header spelt in another case, as HTTP allows
    placed = post_order(bundle, BUDDY, **{name: "true"})
    # WHEN placed THEN it is still a check's order
    assert placed.status == 201
    item = stored_order(placed.json()["confirmationNumber"])
    assert item is not None and item["synthetic"] == {"BOOL": True}


def test_an_order_without_the_optional_headers_is_a_sale(bundle: Bundle) -> None:
    placed = post_order(bundle, BUDDY)
    assert placed.status == 201
    item = stored_order(placed.json()["confirmationNumber"])
    assert item is not None and "synthetic" not in item


def test_an_invalid_header_value_is_a_422_naming_the_header(bundle: Bundle) -> None:
    reply = post_order(bundle, BUDDY, **{"X-Synthetic-Order": "perhaps"})
    assert reply.status == 422
    assert "x-synthetic-order" in reply.json()["message"].lower()


def test_a_confirmation_number_clash_draws_a_new_number(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the random source repeats a number that an order already has
    taken = post_order(bundle, BUDDY).json()["confirmationNumber"]
    numbers = iter([taken, "ORD-" + uuid.uuid4().hex[:8].upper()])
    monkeypatch.setattr(bundle.modules["orders"], "new_confirmation_number", lambda: next(numbers))
    # WHEN another order is placed THEN the conditional write refuses the clash; the order gets a new number
    second = post_order(bundle, BUDDY)
    assert second.status == 201
    assert second.json()["confirmationNumber"] != taken
    assert get_order(bundle, second.json()["confirmationNumber"]).json() == second.json()


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer(bundle: Bundle) -> None:
    key = f"retry-{uuid.uuid4()}"
    first = post_order(bundle, BUDDY, **{"Idempotency-Key": key})
    again = post_order(bundle, BUDDY, **{"Idempotency-Key": key})
    assert first.status == again.status == 201
    assert again.json() == first.json()


@pytest.mark.parametrize("color", COLORS)
def test_after_an_order_read_a_first_keyed_order_makes_no_client_of_its_own(
    color: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a new environment whose order path the switch's warm-up prepared by reading an order
    environment = import_bundle(color)
    assert get_order(environment, "ORD-00000000").status == 404
    made: list[str] = []
    make_client = boto3.session.Session.client

    def counted(session: boto3.session.Session, service: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service)
        return make_client(session, service, *args, **kwargs)

    monkeypatch.setattr(boto3.session.Session, "client", counted)
    # WHEN a user's first keyed order reaches it
    placed = post_order(environment, BUDDY, **{"Idempotency-Key": f"first-{uuid.uuid4()}"})
    # THEN the idempotency records go through the client the read made (a new one costs about 85 ms)
    assert placed.status == 201, placed.body
    assert made == []


def test_a_retry_after_a_switch_gets_the_first_answer_from_the_other_color(
    blue: Bundle, green: Bundle
) -> None:
    key = f"switch-{uuid.uuid4()}"
    first = post_order(blue, BUDDY, **{"Idempotency-Key": key})
    again = post_order(green, BUDDY, **{"Idempotency-Key": key})
    assert again.status == 201
    assert again.json() == first.json(), "one order, answered as blue placed it"


def test_the_same_key_with_another_body_is_refused(bundle: Bundle) -> None:
    key = f"reuse-{uuid.uuid4()}"
    assert post_order(bundle, BUDDY, **{"Idempotency-Key": key}).status == 201
    reply = post_order(bundle, {"id": 2, "name": "Whiskers"}, **{"Idempotency-Key": key})
    assert reply.status == 422
    assert "Idempotency-Key" in reply.json()["message"]


def test_a_refused_order_can_be_retried_with_its_key(bundle: Bundle) -> None:
    # GIVEN a keyed order refused (unknown pet) WHEN retried with the same key THEN it is evaluated again
    key = f"refused-{uuid.uuid4()}"
    assert post_order(bundle, {"id": 999, "name": "Ghost"}, **{"Idempotency-Key": key}).status == 404
    assert post_order(bundle, {"id": 999, "name": "Ghost"}, **{"Idempotency-Key": key}).status == 404


@pytest.mark.parametrize("key", ["", "a" * 129, "has space", "tab\tkey"])
def test_a_malformed_idempotency_key_is_a_4xx(bundle: Bundle, key: str) -> None:
    reply = post_order(bundle, BUDDY, **{"Idempotency-Key": key})
    assert 400 <= reply.status < 500, reply.body


def test_v1_reads_an_order_v2_wrote_with_an_attribute_v1_does_not_know(blue: Bundle, green: Bundle) -> None:
    # GIVEN an order v2 wrote with a note, an attribute v1 has never heard of
    placed = post_order(green, {**BUDDY, "note": "gift wrap"})
    assert placed.status == 201, placed.body
    number = placed.json()["confirmationNumber"]
    assert stored_order(number)["note"] == {"S": "gift wrap"}  # type: ignore[index]
    # WHEN v1 reads it THEN v1 answers the order as it knows orders, without error
    read_by_v1 = get_order(blue, number)
    assert read_by_v1.status == 200
    assert read_by_v1.json() == {key: value for key, value in placed.json().items() if key != "note"}
    # AND v2 still reads its note
    assert get_order(green, number).json()["note"] == "gift wrap"


def test_v2_reads_an_order_v1_wrote_without_the_attributes_v2_added(blue: Bundle, green: Bundle) -> None:
    placed = post_order(blue, BUDDY).json()
    read_by_v2 = get_order(green, placed["confirmationNumber"])
    assert read_by_v2.status == 200
    assert read_by_v2.json() == placed, "no note, not a null note: the v1 shape"


def test_v1_refuses_the_field_only_v2_accepts(blue: Bundle) -> None:
    reply = post_order(blue, {**BUDDY, "note": "gift wrap"})
    assert reply.status == 422
    assert "body.note" in reply.json()["message"]


def test_a_retry_while_the_first_request_still_runs_is_a_409(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a client that retries while its first request is still placing the order
    key = f"in-flight-{uuid.uuid4()}"
    retried: list[HttpReply] = []
    place_order = bundle.modules["orders"].place_order

    def place_while_the_client_retries(*args: Any, **kwargs: Any) -> Any:
        if not retried:
            retried.append(post_order(bundle, BUDDY, **{"Idempotency-Key": key}))
        return place_order(*args, **kwargs)

    monkeypatch.setattr(bundle.modules["orders"], "place_order", place_while_the_client_retries)
    # WHEN the first request completes
    first = post_order(bundle, BUDDY, **{"Idempotency-Key": key})
    # THEN the retry was told to come back later (409), and the first placed the one order. (The
    # nested call shares the resolver's per-request state, which Lambda never does, so the first
    # answer's status is not checked here; its body is.)
    assert retried[0].status == 409
    assert "retry" in retried[0].json()["message"]
    assert stored_order(first.json()["confirmationNumber"]) is not None
    monkeypatch.undo()
    again = post_order(bundle, BUDDY, **{"Idempotency-Key": key})
    assert again.status == 201
    assert again.json() == first.json()


def test_a_stored_order_this_release_cannot_read_is_a_logged_500_not_a_client_error(bundle: Bundle) -> None:
    # GIVEN an order in the table without the fields every release must keep (a broken writer)
    client = boto3.client("dynamodb", region_name=TEST_ENVIRONMENT["AWS_DEFAULT_REGION"])
    client.put_item(TableName=ORDERS_TABLE, Item={"confirmationNumber": {"S": "ORD-BADBAD00"}})
    # WHEN a client reads it THEN the server owns the failure: 500, not a 4xx blaming the request
    reply = get_order(bundle, "ORD-BADBAD00")
    assert reply.status == 500
    assert reply.json() == {"message": "Internal server error"}
