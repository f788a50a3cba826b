"""Hypothesis strategies for API Gateway REST proxy events aimed at the pet-store routes.

Requests mix the shapes a real client sends with what a hostile one could: every route and method,
random headers and Content-Types, query strings with and without the v2 filters, and bodies from valid
orders to random JSON, random bytes (base64), nulls, huge numbers, deep nesting and unicode.
"""

import base64
import json
from typing import Any

from hypothesis import strategies as st

from tests.events import make_event

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
KNOWN_PATHS = (
    "/",
    "/health",
    "/pets",
    "/orders",
    "/pets/1",
    "/pets/2",
    "/pets/4",
    "/pets/999",
    "/orders/ORD-00000000",
    "/orders/ord-1",
)
PET_NAMES = ("Buddy", "Whiskers", "Charlie", "Max", "Luna", "Rocky", "Bella", "")
FILTER_VALUES = ("available", "pending", "sold", "dog", "cat", "bird", "rabbit", "fish", "", "Dog", "*")
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "",
    ";",
    "application/json;;;",
)

# API Gateway never hands the function control characters in a path (the request line cannot carry them).
_path_text = st.text(st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="/?#"), max_size=12)
_header_name = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), min_size=1, max_size=16
)


@st.composite
def paths(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("known", "pet", "random", "slashes")))
    if kind == "known":
        return draw(st.sampled_from(KNOWN_PATHS))
    if kind == "pet":
        segment = draw(
            st.one_of(
                st.integers(min_value=-(2**70), max_value=2**70).map(str),
                _path_text.filter(bool),
                st.sampled_from(("0", "1.0", "1e3", "0x10", "1_000", " 1", "+1", "\u0661", "true", "null")),
            )
        )
        return f"/pets/{segment}"
    if kind == "slashes":
        return draw(st.sampled_from(KNOWN_PATHS)) + "/" * draw(st.integers(1, 3))
    segments = draw(st.lists(_path_text, min_size=0, max_size=4))
    return "/" + "/".join(segments)


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(st.text(max_size=10), children, max_size=5)
        ),
        max_leaves=20,
    )


@st.composite
def order_like(draw: st.DrawFn) -> dict[str, Any]:
    """Objects close to a real order: the fields that matter, with values that almost fit."""
    order: dict[str, Any] = {}
    if draw(st.booleans()) or draw(st.booleans()):
        order["id"] = draw(
            st.one_of(
                st.integers(min_value=-5, max_value=6),
                st.integers(min_value=2**62, max_value=2**64),
                st.sampled_from((True, False, None, 1.0, "1", [1], {"id": 1})),
            )
        )
    if draw(st.booleans()) or draw(st.booleans()):
        order["name"] = draw(
            st.one_of(st.sampled_from(PET_NAMES), st.text(max_size=120), st.sampled_from((None, 1, ["Max"])))
        )
    if draw(st.integers(0, 4)) == 0:
        order[draw(st.text(max_size=8))] = draw(json_values())
    return order


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str | None, bool]:
    """A body and whether it is marked base64, as API Gateway delivers it."""
    kind = draw(
        st.sampled_from(("none", "order", "order64", "json", "text", "bytes", "nested", "number", "junk64"))
    )
    if kind == "none":
        return draw(st.sampled_from((None, ""))), draw(st.booleans())
    if kind == "order":
        return json.dumps(draw(order_like())), False
    if kind == "order64":
        return base64.b64encode(json.dumps(draw(order_like())).encode()).decode(), True
    if kind == "json":
        return json.dumps(draw(json_values())), False
    if kind == "text":
        return draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=200)), False
    if kind == "bytes":
        return base64.b64encode(draw(st.binary(max_size=300))).decode(), True
    if kind == "nested":
        depth = draw(st.sampled_from((10, 100, 1000, 5000, 8000, 9000)))
        opener, closer = draw(st.sampled_from((("[", "]"), ('{"a":', "}"))))
        closed = draw(st.booleans())
        return opener * depth + ("1" if opener != "[" else "") + (closer * depth if closed else ""), False
    if kind == "number":
        digits = draw(st.integers(1, 5000))
        literal = draw(st.sampled_from(("1" + "0" * digits, f"1e{digits}", f"-{digits}.5e-{digits}", "NaN")))
        return f'{{"id": {literal}, "name": "Max"}}', False
    return draw(st.text(max_size=40)), True  # junk that claims to be base64


ROUTED = (("GET", "/health"), ("GET", "/pets"), ("POST", "/orders"), ("GET", "/pets/1"))


@st.composite
def api_events(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 3)):
        # Mostly a served route with its method, so the bodies and filters reach the code behind it.
        method, path = draw(st.sampled_from(ROUTED))
    else:
        method = draw(st.one_of(st.sampled_from(METHODS), st.sampled_from(("TRACE", "CONNECT", "PROPFIND"))))
        path = draw(paths())
    headers = draw(st.dictionaries(_header_name, st.text(max_size=30), max_size=3))
    content_type = draw(st.one_of(st.none(), st.sampled_from(CONTENT_TYPES), st.text(max_size=20)))
    if content_type is not None:
        headers[draw(st.sampled_from(("Content-Type", "content-type", "CONTENT-TYPE")))] = content_type
    query_names = st.one_of(st.sampled_from(("status", "category", "page")), st.text(min_size=1, max_size=8))
    query_value = st.one_of(st.sampled_from(FILTER_VALUES), st.text(max_size=10))
    query_values = st.lists(query_value, min_size=1, max_size=2)
    query = draw(st.dictionaries(query_names, query_values, max_size=3))
    body, is_base64 = draw(bodies())
    return make_event(method, path, body=body, headers=headers, query=query, base64_body=is_base64)
