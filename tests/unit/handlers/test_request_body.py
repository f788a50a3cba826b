"""Reading a JSON body strictly: every malformed shape is a 4xx with a reason, never an exception."""

import base64
from types import ModuleType

import pytest
from aws_lambda_powertools.event_handler.exceptions import ServiceError

from tests.handler_loader import Bundle


@pytest.fixture
def request_body(bundle: Bundle) -> ModuleType:
    module: ModuleType = bundle.modules["request_body"]
    return module


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": 1, "a": 2}', "duplicate key"),
        ('{"id": NaN}', "NaN is not a JSON number"),
        ('{"id": Infinity}', "Infinity is not a JSON number"),
        ('{"id": -Infinity}', "-Infinity is not a JSON number"),
        ('{"id": 1e400}', "out of range"),
        ('{"id": ' + "9" * 33 + "}", "too large"),
        ('{"id": ' + "9" * 5000 + "}", "too large"),
        ("\ufeff{}", "BOM"),
        ("{'id': 1}", "not valid JSON"),
        ('{"id": 1', "not valid JSON"),
        ("   ", "required"),
    ],
)
def test_malformed_json_is_a_400_with_its_reason(request_body: ModuleType, text: str, reason: str) -> None:
    with pytest.raises(ServiceError) as raised:
        request_body.parse_strict_json(text)
    assert raised.value.status_code == 400
    assert reason in str(raised.value.msg)


def test_nesting_deeper_than_the_parser_can_go_is_a_400(request_body: ModuleType) -> None:
    # GIVEN nesting far deeper than Python's json recursion allows (the size limit is lifted here)
    text = "[" * 100_000 + "]" * 100_000
    body = base64.b64encode(text.encode()).decode()
    # WHEN the body is read THEN it is refused as bad JSON, not a RecursionError
    decoded = request_body.body_text(body, True, max_bytes=10**6)
    with pytest.raises(ServiceError) as raised:
        request_body.parse_strict_json(decoded)
    assert raised.value.status_code == 400
    assert "nested too deeply" in str(raised.value.msg)


def test_big_but_bounded_numbers_parse(request_body: ModuleType) -> None:
    assert request_body.parse_strict_json('{"id": 12345678901234567890, "x": 1.5e300}') == {
        "id": 12345678901234567890,
        "x": 1.5e300,
    }


@pytest.mark.parametrize(
    ("body", "is_base64", "status"),
    [
        (None, False, 400),
        ("", False, 400),
        ("", True, 400),
        ("not base64!", True, 400),
        ("YQ", True, 400),  # missing padding
        (base64.b64encode(b"\xff\xfe{}").decode(), True, 400),
        ("\ud800", False, 400),
        ("x" * (16 * 1024 + 1), False, 413),
        ("é" * (8 * 1024 + 1), False, 413),  # under the limit in characters, over it in UTF-8 bytes
        (base64.b64encode(b"x" * (16 * 1024 + 1)).decode(), True, 413),
        ("A" * 10**6, True, 413),
    ],
)
def test_bodies_that_cannot_be_read_get_4xx(
    request_body: ModuleType, body: str | None, is_base64: bool, status: int
) -> None:
    with pytest.raises(ServiceError) as raised:
        request_body.body_text(body, is_base64)
    assert raised.value.status_code == status


def test_a_base64_body_exactly_at_the_limit_is_read(request_body: ModuleType) -> None:
    raw = b"x" * (16 * 1024)
    assert request_body.body_text(base64.b64encode(raw).decode(), True) == raw.decode()


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "Application/JSON; charset=UTF-8", "application/vnd.x+json"],
)
def test_json_content_types_are_accepted(request_body: ModuleType, content_type: str | None) -> None:
    request_body.require_json_content_type(content_type)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_other_content_types_are_415(request_body: ModuleType, content_type: str) -> None:
    with pytest.raises(ServiceError) as raised:
        request_body.require_json_content_type(content_type)
    assert raised.value.status_code == 415
