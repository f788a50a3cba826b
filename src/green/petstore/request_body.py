"""Turn an API Gateway request body into a JSON object, refusing every malformed shape with a 4xx.

Powertools' own body parsing lets base64, UTF-8 and recursion errors escape as 500s and reads form
bodies as JSON fields, so JSON bodies are read here, strictly: one JSON object, UTF-8, no duplicate
keys, no NaN/Infinity, bounded size. `request_validation.StrictJSONValidation` puts this reader inside
Powertools' own request validation, which then validates the object against the route's typed body.
"""

import base64
import binascii
import json
import math
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler.exceptions import (
    BadRequestError,
    RequestEntityTooLargeError,
    ServiceError,
)
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

MAX_BODY_BYTES = 16 * 1024
# Integers longer than this cannot be a pet id and are costly to convert.
MAX_INTEGER_DIGITS = 32


class UnsupportedMediaTypeError(ServiceError):
    def __init__(self, msg: str):
        super().__init__(415, msg)


class _RejectedJSON(ValueError):
    """Raised from the json hooks; its text is the client-facing reason."""


def read_json_object(event: APIGatewayProxyEvent, max_bytes: int = MAX_BODY_BYTES) -> dict[str, Any]:
    require_json_content_type(header_value(event.get("headers"), "content-type"))
    text = body_text(event.body, bool(event.is_base64_encoded), max_bytes)
    value = parse_strict_json(text)
    if not isinstance(value, dict):
        raise BadRequestError("Request body must be a JSON object")
    return value


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    """The value of a header (name in lower case) whatever the case it was sent in; the last one sent
    wins, as in Powertools' case-insensitive headers. Reads the one header instead of copying them all."""
    value = None
    for key, sent in (headers or {}).items():
        if key.lower() == name:
            value = sent
    return value


def require_json_content_type(content_type: str | None) -> None:
    """No Content-Type is read as JSON; any other media type than JSON is refused."""
    if not content_type or not content_type.strip():
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    is_json = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    if is_json:
        return
    raise UnsupportedMediaTypeError("Content-Type must be application/json")


def body_text(body: str | None, is_base64_encoded: bool, max_bytes: int = MAX_BODY_BYTES) -> str:
    """The body as text, after base64 decoding, within max_bytes of UTF-8."""
    if not body:
        raise BadRequestError("Request body is required: send a JSON object")
    too_large = RequestEntityTooLargeError(f"Request body must be at most {max_bytes} bytes")
    if is_base64_encoded:
        # Four base64 characters carry three bytes: refuse before decoding anything oversized.
        if len(body) > (max_bytes + 2) // 3 * 4 + 4:
            raise too_large
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequestError("Request body is marked base64 but is not valid base64") from None
        if len(raw) > max_bytes:
            raise too_large
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequestError("Request body is not valid UTF-8") from None
    if len(body) > max_bytes:
        raise too_large
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadRequestError("Request body is not valid UTF-8") from None
    if size > max_bytes:
        raise too_large
    if not body.strip():
        raise BadRequestError("Request body is required: send a JSON object")
    return body


def parse_strict_json(text: str) -> Any:
    if not text.strip():
        raise BadRequestError("Request body is required: send a JSON object")
    try:
        if text.startswith("\ufeff"):  # what json.loads refuses before decoding
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _STRICT_DECODER.decode(text)
    except _RejectedJSON as rejected:
        raise BadRequestError(f"Request body is not valid JSON: {rejected}") from None
    except json.JSONDecodeError as error:
        raise BadRequestError(
            f"Request body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise BadRequestError("Request body is not valid JSON: nested too deeply") from None


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _RejectedJSON("an object has a duplicate key")
    return obj


def _reject_constant(name: str) -> Any:
    raise _RejectedJSON(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise _RejectedJSON("a number is out of range")
    return number


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _RejectedJSON("an integer is too large")
    return int(literal)


# json.loads with these hooks, without making a decoder and its scanner for every request.
_STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicate_keys,
    parse_constant=_reject_constant,
    parse_float=_finite_float,
    parse_int=_bounded_int,
)
