"""Answer bodies and EMF lines are the documents Powertools writes, written by pydantic-core."""

import contextlib
import dataclasses
import io
import json
import math
import warnings
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from aws_lambda_powertools.metrics.exceptions import SchemaValidationError
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
from aws_lambda_powertools.shared.json_encoder import Encoder
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.events import make_event
from tests.handler_loader import COLORS, Bundle, invoke, load_bundle

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

# What APIGatewayRestResolver writes answer bodies with when given no serializer.
POWERTOOLS_SERIALIZER = partial(json.dumps, separators=(",", ":"), cls=Encoder)

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(),  # any code point, lone surrogates included
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=30,
)


@pytest.fixture
def compact_json(bundle: Bundle) -> Callable[[Any], str]:
    encode: Callable[[Any], str] = bundle.modules["compact_json"].compact_json
    return encode


@pytest.mark.parametrize("color", COLORS)
@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES)
def test_any_json_value_is_written_as_the_document_powertools_writes(color: str, value: Any) -> None:
    encode = load_bundle(color).modules["compact_json"].compact_json
    assert json.loads(encode(value)) == json.loads(POWERTOOLS_SERIALIZER(value))


@dataclasses.dataclass
class Shipment:
    pet_id: int
    note: str


class Receipt(BaseModel):
    number: str
    total: Decimal


@pytest.mark.parametrize(
    "value",
    [
        {"price": Decimal("12.50"), "tax": Decimal("1E+2")},
        {"shipment": Shipment(pet_id=1, note="fragile")},
        {"receipt": Receipt(number="ORD-0000000A", total=Decimal("3.10"))},
        {"name": "Bücher ✓ 🐕", "escapes": 'quote " backslash \\ newline \n tab \t nul \x00'},
        {"big": 2**70, "small": 1e-7, "huge": 1.5e300, "negative_zero": -0.0},
    ],
)
def test_values_powertools_encodes_specially_are_the_same_documents(
    compact_json: Callable[[Any], str], value: Any
) -> None:
    assert json.loads(compact_json(value)) == json.loads(POWERTOOLS_SERIALIZER(value))


def test_a_lone_surrogate_is_escaped_as_powertools_escapes_it(compact_json: Callable[[Any], str]) -> None:
    # GIVEN a string no UTF-8 can hold (json.loads makes one from "\ud800") WHEN written THEN as Powertools
    value = {"name": "a\ud800b"}
    assert compact_json(value) == POWERTOOLS_SERIALIZER(value)


def test_a_value_of_no_known_type_fails_as_powertools_fails(compact_json: Callable[[Any], str]) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        compact_json({"value": object()})


def test_nan_and_infinity_are_written_as_powertools_writes_them(compact_json: Callable[[Any], str]) -> None:
    value = [math.nan, math.inf, -math.inf]
    assert compact_json(value) == POWERTOOLS_SERIALIZER(value) == "[NaN,Infinity,-Infinity]"


def test_an_answer_echoing_a_field_name_is_utf8_json_the_client_reads_back(bundle: Bundle) -> None:
    # GIVEN an order with an unknown field whose name is not ASCII
    body = '{"id": 1, "name": "Buddy", "ñame": 1}'
    # WHEN it is refused THEN the answer is a 422 naming the field in UTF-8 (not an escape), as sent
    reply = invoke(bundle, make_event("POST", "/orders", body=body))
    assert reply.status == 422
    assert '"location":"body.ñame"' in reply.body
    assert reply.json()["errors"] == [{"location": "body.ñame", "message": "Extra inputs are not permitted"}]


# EMF: the provider's flush, beside Powertools' own, in every state a flush can find.
METRICS_SWITCHES = ("POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_DEV")


def _fill(provider: AmazonCloudWatchEMFProvider, with_metrics: bool) -> None:
    provider.set_timestamp(1_796_141_229_033)
    provider.set_default_dimensions(environment="blue")
    if with_metrics:
        provider.add_metric(name="OrdersPlaced", unit="Count", value=1)
        provider.add_metric(name="OrderLatency", unit="Milliseconds", value=2.5, resolution=1)
        provider.add_dimensions(route="orders")
        provider.add_metadata(key="confirmation_number", value="ORD-0A1B2C3D")
        provider.add_metadata(key="pet", value={"id": 1, "name": "Büddy"})


def _flush(provider: AmazonCloudWatchEMFProvider, raise_on_empty: bool) -> tuple[list[Any], list[str], str]:
    """What a flush prints (parsed), warns and raises, and what the provider holds after it."""
    printed = io.StringIO()
    outcome = "flushed"
    with contextlib.redirect_stdout(printed), warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            provider.flush_metrics(raise_on_empty_metrics=raise_on_empty)
        except SchemaValidationError as error:
            outcome = f"raised {error}"
    lines = [json.loads(line) for line in printed.getvalue().splitlines()]
    return lines, [str(warning.message) for warning in warned], f"{outcome}; holds {provider.metric_set}"


@pytest.mark.parametrize("with_metrics", [True, False])
@pytest.mark.parametrize("raise_on_empty", [False, True])
@pytest.mark.parametrize("switched_on", [(), ("POWERTOOLS_METRICS_DISABLED",), ("POWERTOOLS_DEV",)])
def test_a_flush_prints_warns_and_clears_as_powertools_flush_does(
    bundle: Bundle,
    monkeypatch: pytest.MonkeyPatch,
    with_metrics: bool,
    raise_on_empty: bool,
    switched_on: tuple[str, ...],
) -> None:
    for name in METRICS_SWITCHES:
        monkeypatch.setenv(name, "true" if name in switched_on else "false")
    ours = bundle.modules["emf"].CompactEMFProvider(namespace="PetStore", service="petstore")
    theirs = AmazonCloudWatchEMFProvider(namespace="PetStore", service="petstore")
    _fill(ours, with_metrics)
    _fill(theirs, with_metrics)

    assert _flush(ours, raise_on_empty) == _flush(theirs, raise_on_empty)


def test_an_order_prints_one_emf_line_cloudwatch_reads(
    bundle: Bundle, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a warm handler WHEN an order is placed THEN its one EMF line carries the count and the order
    invoke(bundle, make_event("GET", "/health"))
    capsys.readouterr()
    reply = invoke(bundle, make_event("POST", "/orders", body=json.dumps({"id": 1, "name": "Buddy"})))
    assert reply.status == 201

    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines() if '"_aws"' in text]
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "PetStore"
    assert {"Name": "OrdersPlaced", "Unit": "Count"} in directive["Metrics"]
    assert line["OrdersPlaced"] == [1.0]
    assert line["confirmation_number"] == reply.json()["confirmationNumber"]
    assert line["environment"] == bundle.color
