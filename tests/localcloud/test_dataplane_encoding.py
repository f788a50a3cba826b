"""How a request reaches the function and its answer reaches the client: header lines as sent, binary media.

AWS sources: set-up-lambda-proxy-integrations.html (input format: `headers` / `multiValueHeaders`),
api-gateway-payload-encodings.html and lambda-proxy-binary-media.html (binaryMediaTypes, first Accept).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fixtures.https_client import Reply
from fixtures.plane import Plane, running_plane

from localcloud.dataplane.listener import Timeouts

PNG = bytes(range(256))


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    apis = {"images": ["image/*", "application/octet-stream"], "everything": ["*/*"], "text": []}
    with running_plane(tmp_path_factory.mktemp("encoding"), apis, Timeouts()) as running:
        yield running


def send_header_lines(plane: Plane, lines: list[tuple[str, str]], path: str = "/pets") -> Reply:
    """A GET whose header lines go out exactly as given: duplicates and spelling kept."""
    connection = plane.connection(plane.host("images"))
    try:
        connection.putrequest("GET", f"/prod{path}", skip_accept_encoding=True)
        for name, value in lines:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return Reply(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def event_of(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    event: dict[str, Any] = json.loads(reply.body)["event"]
    return event


def test_a_repeated_header_keeps_each_value_in_multi_value_headers(plane: Plane) -> None:
    event = event_of(send_header_lines(plane, [("X-Dup", "one"), ("X-Dup", "two")]))

    assert event["multiValueHeaders"]["X-Dup"] == ["one", "two"]
    assert event["headers"]["X-Dup"] == "two"


def test_repeated_cookie_lines_stay_separate(plane: Plane) -> None:
    event = event_of(send_header_lines(plane, [("Cookie", "a=1"), ("Cookie", "b=2; c=3")]))

    assert event["multiValueHeaders"]["Cookie"] == ["a=1", "b=2; c=3"]
    assert event["headers"]["Cookie"] == "b=2; c=3"


def test_header_names_keep_the_clients_spelling(plane: Plane) -> None:
    event = event_of(send_header_lines(plane, [("x-lower-case", "v"), ("X-MiXeD", "w")]))

    assert event["headers"]["x-lower-case"] == "v"
    assert event["headers"]["X-MiXeD"] == "w"
    assert event["multiValueHeaders"]["x-lower-case"] == ["v"]


def test_a_header_value_is_passed_as_sent(plane: Plane) -> None:
    event = event_of(send_header_lines(plane, [("X-List", "a, b,c")]))

    assert event["multiValueHeaders"]["X-List"] == ["a, b,c"]  # commas inside one line are not a split


def post(plane: Plane, api: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return event_of(plane.get(plane.url(api, "/upload"), method="POST", body=body, headers=headers))


@pytest.mark.parametrize(
    ("api", "content_type"),
    [
        ("images", "image/jpeg"),  # glob image/*
        ("images", "image/PNG; charset=binary"),  # media type case and parameters do not matter
        ("images", "application/octet-stream"),
        ("everything", "application/json"),  # */* makes every typed body binary
    ],
)
def test_a_body_of_a_binary_media_type_arrives_base64(plane: Plane, api: str, content_type: str) -> None:
    event = post(plane, api, PNG, content_type)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == PNG


@pytest.mark.parametrize(
    ("api", "content_type"),
    [("images", "application/json"), ("images", "text/plain"), ("text", "image/png"), ("images", None)],
)
def test_any_other_body_arrives_as_text(plane: Plane, api: str, content_type: str | None) -> None:
    event = post(plane, api, '{"name": "Rex ü"}'.encode(), content_type)

    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"name": "Rex ü"}'


def test_bytes_that_are_not_utf8_arrive_mangled_without_a_binary_media_type(plane: Plane) -> None:
    event = post(plane, "images", b"ok \xff\xfe", "text/plain")

    assert event["isBase64Encoded"] is False
    assert event["body"] == "ok \ufffd\ufffd"


@pytest.mark.parametrize(
    ("api", "accept", "decoded"),
    [
        ("images", "image/png", True),
        ("images", "image/webp,*/*;q=0.8", True),  # only the first media type counts
        ("images", "text/html, image/png", False),  # a browser's order: first is not binary
        ("images", "*/*", False),
        ("everything", "text/html, image/png", True),  # */* matches whatever comes first
        ("text", "image/png", False),  # no binary media types: the base64 text goes out as is
    ],
)
def test_a_base64_response_is_decoded_when_the_first_accept_is_binary(
    plane: Plane, api: str, accept: str, decoded: bool
) -> None:
    reply = plane.get(plane.url(api, "/x?mode=binary"), headers={"Accept": accept})

    assert reply.status == 200
    assert reply.header("Content-Type") == "image/png"
    assert reply.body == (PNG if decoded else base64.b64encode(PNG))
