"""Behaviour both releases share: health, the catalog, orders and the error contract."""

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.events import load_event, make_event
from tests.handler_loader import RELEASE_VERSIONS, Bundle, HttpReply, invoke

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

ISO_UTC_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
# A pet both releases sell and one they do not: one catalog, the same ids and names in every release.
AVAILABLE = {"blue": {"id": 1, "name": "Buddy"}, "green": {"id": 1, "name": "Buddy"}}
UNAVAILABLE = {"blue": {"id": 3, "name": "Charlie"}, "green": {"id": 3, "name": "Charlie"}}


@pytest.fixture
def log_output(bundle: Bundle) -> Iterator[io.StringIO]:
    """What the function writes to its log (CloudWatch in AWS), as JSON lines."""
    handler = bundle.app.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def assert_json_error(reply: HttpReply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.header("Content-Type") == "application/json"
    body: dict[str, Any] = reply.json()
    assert isinstance(body["message"], str) and body["message"].strip()
    return body


def test_health_reports_the_release_from_the_environment(bundle: Bundle) -> None:
    # GIVEN the function of one color
    # WHEN a client asks for its health
    before = datetime.now(UTC)
    reply = invoke(bundle, load_event("health"))
    # THEN it answers healthy, with its color, its version and the current UTC time in milliseconds
    assert reply.status == 200
    body = reply.json()
    assert body["status"] == "healthy"
    assert body["environment"] == bundle.color
    assert body["version"] == RELEASE_VERSIONS[bundle.color]
    assert ISO_UTC_MILLIS.match(body["timestamp"])
    stamped = datetime.strptime(body["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before - timedelta(milliseconds=1) <= stamped <= datetime.now(UTC)


def test_pets_lists_the_catalog_with_typed_fields(bundle: Bundle) -> None:
    reply = invoke(bundle, load_event("pets"))
    assert reply.status == 200
    body = reply.json()
    assert (body["environment"], body["version"]) == (bundle.color, RELEASE_VERSIONS[bundle.color])
    assert body["pets"], "the catalog is never empty"
    for pet in body["pets"]:
        assert set(pet) == {"id", "name", "category", "status"}
        assert type(pet["id"]) is int and isinstance(pet["name"], str)
        assert pet["status"] in {"available", "pending", "sold"}
    assert any(pet["status"] != "available" for pet in body["pets"])


def test_blue_serves_the_v1_catalog(blue: Bundle) -> None:
    pets = invoke(blue, load_event("pets")).json()["pets"]
    assert pets == [
        {"id": 1, "name": "Buddy", "category": "dog", "status": "available"},
        {"id": 2, "name": "Whiskers", "category": "cat", "status": "available"},
        {"id": 3, "name": "Charlie", "category": "bird", "status": "pending"},
    ]


def test_green_keeps_every_v1_pet_and_adds_one(blue: Bundle, green: Bundle) -> None:
    # GIVEN the v1 catalog WHEN v2 lists its pets THEN every v1 pet is there unchanged, and v2 adds Bella
    v1 = invoke(blue, load_event("pets")).json()["pets"]
    v2 = invoke(green, load_event("pets")).json()["pets"]
    assert v2[: len(v1)] == v1
    assert [(pet["id"], pet["name"]) for pet in v2[len(v1) :]] == [(4, "Bella")]


def test_unknown_query_parameters_are_ignored(bundle: Bundle) -> None:
    assert (
        invoke(bundle, load_event("pets_unknown_query")).json()["pets"]
        == (invoke(bundle, load_event("pets")).json()["pets"])
    )


def test_ordering_an_available_pet_confirms_the_order(bundle: Bundle) -> None:
    # GIVEN an available pet of this release
    pet = AVAILABLE[bundle.color]
    # WHEN a client orders it
    reply = invoke(bundle, load_event("order_available", body=pet))
    # THEN the order is created with a confirmation number and the pet marked ordered
    assert reply.status == 201
    body = reply.json()
    assert re.fullmatch(r"ORD-[0-9A-F]{8}", body["confirmationNumber"])
    assert body["environment"] == bundle.color
    assert body["version"] == RELEASE_VERSIONS[bundle.color]
    assert ISO_UTC_MILLIS.match(body["timestamp"])
    assert body["data"] == {**pet, "status": "ordered"}


def test_each_order_gets_its_own_confirmation_number(bundle: Bundle) -> None:
    event = load_event("order_available", body=AVAILABLE[bundle.color])
    numbers = {invoke(bundle, event).json()["confirmationNumber"] for _ in range(50)}
    assert len(numbers) == 50


def test_a_base64_encoded_body_is_decoded(bundle: Bundle) -> None:
    body = json.dumps(AVAILABLE[bundle.color]).encode()  # bytes: make_event base64-encodes them
    reply = invoke(bundle, make_event("POST", "/orders", body=body))
    assert reply.status == 201, reply.body


@pytest.mark.parametrize(
    ("event", "status", "fragment"),
    [
        ("order_unknown_pet", 404, "Pet 999 not found"),
        ("order_name_mismatch", 422, "not named"),
        ("order_missing_body", 400, "required"),
        ("order_null_body", 400, "JSON object"),
        ("order_not_json", 400, "not valid JSON"),
        ("order_array_body", 400, "JSON object"),
        ("order_string_body", 400, "JSON object"),
        ("order_number_body", 400, "JSON object"),
        ("order_wrong_types", 422, "body.id"),
        ("order_bool_id", 422, "body.id"),
        ("order_float_id", 422, "body.id"),
        ("order_missing_fields", 422, "body.name"),
        ("order_extra_field", 422, "body.quantity"),
        ("order_invalid_base64", 400, "base64"),
        ("order_form_content_type", 415, "application/json"),
    ],
)
def test_bad_orders_get_a_clear_json_error(bundle: Bundle, event: str, status: int, fragment: str) -> None:
    body = assert_json_error(invoke(bundle, load_event(event)), status)
    assert fragment in str(body["message"])


def test_ordering_a_pet_that_is_not_available_conflicts(bundle: Bundle) -> None:
    body = assert_json_error(
        invoke(bundle, load_event("order_unavailable", body=UNAVAILABLE[bundle.color])), 409
    )
    assert "not available" in str(body["message"])


def test_validation_errors_list_each_invalid_field(bundle: Bundle) -> None:
    body = assert_json_error(invoke(bundle, load_event("order_wrong_types")), 422)
    assert {error["location"] for error in body["errors"]} == {"body.id", "body.name"}


@pytest.mark.parametrize("size", [16 * 1024 + 1, 1024 * 1024])
def test_an_oversized_body_is_refused_with_413(bundle: Bundle, size: int) -> None:
    padding = "x" * (size - len('{"id":1,"name":""}'))
    reply = invoke(bundle, load_event("order_available", body=f'{{"id":1,"name":"{padding}"}}'))
    assert_json_error(reply, 413)


def test_a_body_at_the_size_limit_is_read(bundle: Bundle) -> None:
    body = '{"id":999,"name":"Ghost"}'.ljust(16 * 1024)
    assert_json_error(invoke(bundle, load_event("order_available", body=body)), 404)


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/merge-patch+json"])
def test_json_media_types_are_accepted(bundle: Bundle, content_type: str) -> None:
    event = make_event(
        "POST", "/orders", body='{"id":999,"name":"Ghost"}', headers={"Content-Type": content_type}
    )
    assert_json_error(invoke(bundle, event), 404)


@pytest.mark.parametrize("event", ["unknown_path", "root"])
def test_unknown_paths_answer_404(bundle: Bundle, event: str) -> None:
    assert_json_error(invoke(bundle, load_event(event)), 404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/pets", "GET"),
        ("GET", "/orders", "POST"),
        ("POST", "/health", "GET"),
        ("HEAD", "/pets", "GET"),
    ],
)
def test_a_wrong_method_answers_405_with_allow(bundle: Bundle, method: str, path: str, allow: str) -> None:
    reply = invoke(bundle, make_event(method, path))
    assert_json_error(reply, 405)
    assert reply.header("Allow") == allow


def test_an_unexpected_failure_is_a_json_500_and_is_logged(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    # GIVEN the catalog fails in a way nobody planned for
    def broken(pet_id: int) -> None:
        raise RuntimeError("catalog exploded")

    monkeypatch.setattr(bundle.modules["catalog"], "find_pet", broken)
    # WHEN an order arrives
    reply = invoke(bundle, load_event("order_unknown_pet"))
    # THEN the client gets the generic 500 and the log has the exception, but not the request body
    assert reply.status == 500
    assert reply.json() == {"message": "Internal server error"}
    logged = log_output.getvalue()
    assert "catalog exploded" in logged and "Unhandled error" in logged
    assert "Ghost" not in logged


def test_log_lines_carry_the_api_gateway_request_id(
    bundle: Bundle, monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO
) -> None:
    # GIVEN a request that makes the function log (an unexpected failure)
    def broken(pet_id: int) -> None:
        raise RuntimeError("catalog exploded")

    monkeypatch.setattr(bundle.modules["catalog"], "find_pet", broken)
    event = load_event("order_unknown_pet")
    event["requestContext"]["requestId"] = "req-5c1e-correlated"
    # WHEN it is served
    invoke(bundle, event)
    # THEN its log line names the request API Gateway received, to join the two
    logged = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert [line["correlation_id"] for line in logged] == ["req-5c1e-correlated"]


@pytest.mark.parametrize("request_context", [None, "not-an-object", {}])
def test_a_request_without_a_request_id_is_still_served(bundle: Bundle, request_context: Any) -> None:
    # GIVEN an event whose requestContext is missing or malformed WHEN served THEN it is answered, not a 5xx
    event = load_event("health", requestContext=request_context)
    assert invoke(bundle, event).status == 200


def test_the_request_body_never_reaches_the_logs(
    bundle: Bundle, log_output: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Sensitive-Name-7f3a9"
    for body in ({"id": 1, "name": secret}, {"id": "x", "name": secret}, {"id": 999, "name": secret}):
        invoke(bundle, load_event("order_available", body=body))
    placed = invoke(bundle, load_event("order_available", body=AVAILABLE[bundle.color])).json()
    # The order is recorded once, in the metric's log line (EMF, on stdout), by number and pet id.
    metrics_lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    counted = [line for line in metrics_lines if "OrdersPlaced" in line]
    assert counted[-1]["confirmation_number"] == placed["confirmationNumber"]
    assert counted[-1]["pet_id"] == placed["data"]["id"]
    assert secret not in log_output.getvalue()
    assert all(secret not in json.dumps(line) for line in metrics_lines)
