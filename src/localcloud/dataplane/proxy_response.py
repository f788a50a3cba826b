"""Turns a Lambda proxy result into the HTTP response API Gateway sends, or rejects it as malformed."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from localcloud.dataplane.proxy_event import media_type_matches

_ALLOWED_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}


class MalformedProxyResponse(Exception):
    """API Gateway answers 502 Internal server error (Malformed Lambda proxy response)."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedProxyResponse(f"header value of type {type(value).__name__}")


def _status(value: object) -> int:
    if isinstance(value, bool):
        raise MalformedProxyResponse("statusCode is a boolean")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and value.isdigit():
        status = int(value)
    else:
        raise MalformedProxyResponse("statusCode is not an integer")
    if not 100 <= status <= 599:
        raise MalformedProxyResponse("statusCode out of range")
    return status


def _merged_headers(result: dict[str, object]) -> list[tuple[str, str]]:
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedProxyResponse("headers must be objects")
    merged: list[tuple[str, str]] = []
    multi_keys = {str(key).lower() for key in multi}
    # A key in both maps takes only its multiValueHeaders values (API Gateway's merge rule).
    for key, value in single.items():
        if str(key).lower() not in multi_keys:
            merged.append((str(key), _scalar(value)))
    for key, values in multi.items():
        if not isinstance(values, list):
            raise MalformedProxyResponse("multiValueHeaders values must be lists")
        merged.extend((str(key), _scalar(value)) for value in values)
    return merged


def _content_type(headers: list[tuple[str, str]]) -> str | None:
    return next((value for key, value in headers if key.lower() == "content-type"), None)


def map_proxy_result(payload: bytes, accept: str | None, binary_media_types: list[str]) -> HttpResponse:
    try:
        result = json.loads(payload)
    except ValueError as exc:
        raise MalformedProxyResponse("result is not JSON") from exc
    if not isinstance(result, dict) or not set(result) <= _ALLOWED_KEYS:
        raise MalformedProxyResponse("unexpected result shape")
    status = _status(result.get("statusCode"))
    headers = _merged_headers(result)
    body = result.get("body")
    if body is None:
        raw = b""
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raise MalformedProxyResponse("body must be a string")
    if result.get("isBase64Encoded") is True and body:
        first_accept = (accept or "").split(",", 1)[0]
        # Binary goes out as bytes only when the client accepts a binary media type of the API.
        if media_type_matches(first_accept, binary_media_types):
            try:
                raw = base64.b64decode(body, validate=True)
            except binascii.Error as exc:
                raise MalformedProxyResponse("body is not valid base64") from exc
    if _content_type(headers) is None:
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, raw)
