"""v2.0.0 is a release a v1 client cannot notice.

The v1 request set is every request the v1 document describes, errors included, plus unknown paths and
wrong methods that are unknown in both releases. Orders name pets as a v1 client would: from the catalog
GET /pets returned on v1, and the very same request goes to v2 (one catalog: same ids, same names).
Against green, each request must get the same status, the same fields with the same JSON types and the
same Content-Type/Allow headers as against blue, and green's answer must also be valid against the v1
document. Reading an order back works whichever release placed it.
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.contract.openapi_contract import contract_for
from tests.events import EVENTS_DIR, load_event, make_event
from tests.handler_loader import Bundle, invoke, load_bundle

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

Catalog = list[dict[str, Any]]


@dataclass(frozen=True)
class V1Request:
    name: str
    build: Callable[[Catalog], dict[str, Any]]


def _first(catalog: Catalog, available: bool) -> dict[str, Any]:
    return next(pet for pet in catalog if (pet["status"] == "available") == available)


def _order(body: Callable[[Catalog], Any], **options: Any) -> Callable[[Catalog], dict[str, Any]]:
    def build(catalog: Catalog) -> dict[str, Any]:
        payload = body(catalog)
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return make_event(
            "POST", "/orders", body=text, headers={"Content-Type": "application/json"}, **options
        )

    return build


def _fixed(event: dict[str, Any]) -> Callable[[Catalog], dict[str, Any]]:
    return lambda catalog: event


V1_ONLY_EVENTS = {"order_available", "order_unavailable", "order_name_mismatch", "order_base64"}
V2_EVENTS_PREFIXES = ("pet_by_id", "pets_filter")
STORED_V1_EVENTS = sorted(
    path.stem
    for path in EVENTS_DIR.glob("*.json")
    if not path.stem.startswith(("_", *V2_EVENTS_PREFIXES)) and path.stem not in V1_ONLY_EVENTS
)

V1_REQUESTS = [
    *(V1Request(f"stored:{name}", _fixed(load_event(name))) for name in STORED_V1_EVENTS),
    V1Request(
        "order the first available pet",
        _order(lambda c: {"id": _first(c, True)["id"], "name": _first(c, True)["name"]}),
    ),
    V1Request(
        "order a pet that is not available",
        _order(lambda c: {"id": _first(c, False)["id"], "name": _first(c, False)["name"]}),
    ),
    V1Request("order with the wrong name", _order(lambda c: {"id": c[0]["id"], "name": c[0]["name"] + "x"})),
    V1Request(
        "order an unknown id", _order(lambda c: {"id": max(p["id"] for p in c) + 1000, "name": "Nobody"})
    ),
    V1Request(
        "order as base64",
        lambda c: make_event(
            "POST",
            "/orders",
            body=json.dumps({"id": _first(c, True)["id"], "name": _first(c, True)["name"]}).encode(),
        ),
    ),
    V1Request("order with a string id", _order(lambda c: {"id": str(c[0]["id"]), "name": c[0]["name"]})),
    V1Request("order with id 0", _order(lambda c: {"id": 0, "name": c[0]["name"]})),
    V1Request("order with an empty name", _order(lambda c: {"id": c[0]["id"], "name": ""})),
    V1Request("order with a long name", _order(lambda c: {"id": c[0]["id"], "name": "n" * 101})),
    V1Request("order with an oversized body", _order(lambda c: "x" * 20_000)),
    V1Request("order with nested junk", _order(lambda c: "[" * 5000 + "]" * 5000)),
    V1Request(
        "order with invalid UTF-8", _order(lambda c: base64.b64encode(b"\xc3\x28").decode(), base64_body=True)
    ),
    V1Request("read an unknown order", _fixed(make_event("GET", "/orders/ORD-00000000"))),
    V1Request("read a malformed order number", _fixed(make_event("GET", "/orders/ORD-xyz"))),
    *(
        V1Request(f"{method} an order", _fixed(make_event(method, "/orders/ORD-00000000")))
        for method in ("POST", "PUT", "DELETE")
    ),
    V1Request("pets with unknown query", _fixed(make_event("GET", "/pets", query={"limit": ["1"]}))),
    V1Request("health with a body", _fixed(make_event("GET", "/health", body="{}"))),
    *(
        V1Request(f"{method} {path}", _fixed(make_event(method, path)))
        for path in ("/health", "/pets", "/orders")
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
    ),
    *(
        V1Request(f"GET {path}", _fixed(make_event("GET", path)))
        for path in ("/", "/store", "/health/x", "/v1/pets")
    ),
]


def shape(value: Any) -> Any:
    """The fields and JSON types of a value, without the values: what a typed client depends on."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item), sort_keys=True) for item in value})
    return type(value).__name__


def catalog_of(bundle: Bundle) -> Catalog:
    pets: Catalog = invoke(bundle, load_event("pets")).json()["pets"]
    return pets


@pytest.mark.parametrize("request_", V1_REQUESTS, ids=lambda request_: request_.name)
def test_green_answers_every_v1_request_as_blue_does(request_: V1Request) -> None:
    blue, green = load_bundle("blue"), load_bundle("green")
    event = request_.build(catalog_of(blue))
    old, new = invoke(blue, event), invoke(green, event)

    assert new.status == old.status, (old.body, new.body)
    assert shape(new.json()) == shape(old.json())
    for header in ("Content-Type", "Allow"):
        assert new.header(header) == old.header(header), header
    # A v1 client reads green's answer with the v1 document.
    contract_for("blue").check(event["httpMethod"], event["path"], new)


@pytest.mark.parametrize(("writer", "reader"), [("blue", "green"), ("green", "blue")])
def test_an_order_placed_on_one_release_reads_the_same_on_the_other(writer: str, reader: str) -> None:
    # GIVEN a v1 client's order placed on one release
    pet = _first(catalog_of(load_bundle("blue")), True)
    event = _order(lambda c: {"id": pet["id"], "name": pet["name"]})([])
    placed = invoke(load_bundle(writer), event)
    assert placed.status == 201
    path = f"/orders/{placed.json()['confirmationNumber']}"
    # WHEN the other release reads it THEN it answers the order exactly as the writer does
    read = invoke(load_bundle(reader), make_event("GET", path))
    assert read.status == 200
    assert read.json() == invoke(load_bundle(writer), make_event("GET", path)).json() == placed.json()
    contract_for("blue").check("GET", path, read)


def test_the_v1_request_set_covers_every_v1_status() -> None:
    blue = load_bundle("blue")
    catalog = catalog_of(blue)
    statuses = {invoke(blue, request_.build(catalog)).status for request_ in V1_REQUESTS}
    documented = {
        int(status)
        for item in contract_for("blue").document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
    }
    assert documented - {500} <= statuses
    assert {404, 405} <= statuses
