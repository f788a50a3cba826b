"""Responses are built as Powertools builds them; the request's headers are read only when it matters."""

import itertools

import pytest
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from tests.events import make_event
from tests.handler_loader import Bundle, invoke

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

ACCEPT_ENCODINGS = [None, "gzip", "br", "gzip, deflate, br", "identity"]


@pytest.mark.parametrize(
    ("route_compression", "response_compression", "accept_encoding"),
    list(itertools.product([False, True], [None, False, True], ACCEPT_ENCODINGS)),
)
def test_the_compression_decision_is_powertools_own(
    bundle: Bundle, route_compression: bool, response_compression: bool | None, accept_encoding: str | None
) -> None:
    # GIVEN any route setting, response setting and Accept-Encoding a request can send
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    event = APIGatewayProxyEvent(make_event("GET", "/pets", headers=headers))
    builder = bundle.modules["responses"].ResponseBuilderReadingHeadersOnDemand

    # WHEN the handler's response builder decides whether to gzip THEN it decides as Powertools does
    decided = builder._has_compression_enabled(route_compression, response_compression, event)
    assert decided == ResponseBuilder._has_compression_enabled(route_compression, response_compression, event)


@pytest.mark.parametrize("path", ["/health", "/pets"])
def test_a_client_accepting_gzip_gets_plain_json(bundle: Bundle, path: str) -> None:
    # GIVEN a client that accepts gzip WHEN it asks a route that does not compress THEN the JSON is plain
    reply = invoke(bundle, make_event("GET", path, headers={"Accept-Encoding": "gzip, deflate"}))

    assert reply.status == 200
    assert reply.header("Content-Encoding") is None
    assert reply.json()["environment"] == bundle.color
