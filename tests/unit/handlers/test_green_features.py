"""What v2.0.0 (green) adds: GET /pets/{pet_id} and the status/category filters; v1 (blue) has neither."""

import pytest

from tests.events import load_event, make_event
from tests.handler_loader import Bundle, invoke

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def pets_of(bundle: Bundle, **query: str) -> list[dict[str, object]]:
    reply = invoke(bundle, make_event("GET", "/pets", query={name: [value] for name, value in query.items()}))
    assert reply.status == 200, reply.body
    pets: list[dict[str, object]] = reply.json()["pets"]
    return pets


def test_green_returns_one_pet_by_id(green: Bundle) -> None:
    reply = invoke(green, load_event("pet_by_id"))
    assert reply.status == 200
    assert reply.json() == {
        "environment": "green",
        "version": "v2.0.0",
        "pet": {"id": 2, "name": "Whiskers", "category": "cat", "status": "available"},
    }


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/pets/999", 404),
        ("/pets/9223372036854775807", 404),
        ("/pets/9223372036854775808", 422),
        ("/pets/" + "9" * 5000, 422),
        ("/pets/abc", 422),
        ("/pets/1.5", 422),
        ("/pets/0", 422),
        ("/pets/-1", 422),
        ("/pets/true", 422),
        ("/pets/1/owner", 404),
        ("/pets/%20", 422),
    ],
)
def test_green_refuses_ids_that_name_no_pet(green: Bundle, path: str, status: int) -> None:
    reply = invoke(green, make_event("GET", path))
    assert reply.status == status, reply.body
    assert reply.header("Content-Type") == "application/json"
    assert reply.json()["message"]


def test_green_answers_405_for_other_methods_on_a_pet(green: Bundle) -> None:
    reply = invoke(green, make_event("DELETE", "/pets/1"))
    assert reply.status == 405
    assert reply.header("Allow") == "GET"


def test_green_filters_by_status_and_category(green: Bundle) -> None:
    # GIVEN the v2 catalog WHEN filtered THEN only pets matching every filter come back
    assert [pet["name"] for pet in pets_of(green, status="available")] == ["Buddy", "Whiskers"]
    assert [pet["name"] for pet in pets_of(green, category="rabbit")] == ["Bella"]
    assert [pet["name"] for pet in pets_of(green, status="pending", category="bird")] == ["Charlie"]
    assert pets_of(green, status="sold", category="dog") == []


@pytest.mark.parametrize(
    "query",
    [
        {"status": ["adopted"]},
        {"status": ["Available"]},
        {"status": [""]},
        {"category": ["dragon"]},
        {"status": ["sold", "pending"]},
    ],
)
def test_green_refuses_invalid_filters_with_422(green: Bundle, query: dict[str, list[str]]) -> None:
    reply = invoke(green, make_event("GET", "/pets", query=query))
    assert reply.status == 422, reply.body
    body = reply.json()
    assert body["message"].startswith("Invalid request")
    assert body["errors"][0]["location"].startswith("query.")


def test_blue_has_no_pet_by_id_route(blue: Bundle) -> None:
    assert invoke(blue, load_event("pet_by_id")).status == 404
    assert invoke(blue, make_event("DELETE", "/pets/1")).status == 404


def test_blue_ignores_filters_it_does_not_know(blue: Bundle) -> None:
    assert len(pets_of(blue, status="adopted", category="dragon")) == 3
