"""The REST API (v1) Lambda proxy event, shaped as API Gateway sends it."""

from __future__ import annotations

import base64
import datetime
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from localcloud.dataplane.model import Route

# The WSGI environ key under which the listener hands over the request's header lines as the client sent
# them (order, duplicates, name spelling), which WSGI's one-value-per-name HTTP_* keys cannot carry.
RAW_HEADERS = "localcloud.raw_headers"


def client_headers(environ: Mapping[str, Any], merged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The header lines as sent when the server kept them, else the WSGI view `merged` rebuilt from HTTP_*."""
    raw = environ.get(RAW_HEADERS)
    if raw is None:
        return merged
    return [(str(name), str(value)) for name, value in raw]


@dataclass(frozen=True)
class IncomingRequest:
    """One HTTP request as the listener saw it; header names keep the client's spelling when known."""

    method: str
    path: str  # URL-decoded, without the query string
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


@dataclass(frozen=True)
class RequestIds:
    request_id: str
    extended_request_id: str
    trace_id: str
    epoch_ms: int


def media_type_matches(content_type: str | None, binary_media_types: list[str]) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatch(media_type, pattern.lower()) for pattern in binary_media_types)


def _header(request: IncomingRequest, name: str) -> str | None:
    for key, value in request.headers:
        if key.lower() == name:
            return value
    return None


def _body(request: IncomingRequest, binary_media_types: list[str]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    if media_type_matches(_header(request, "content-type"), binary_media_types):
        return base64.b64encode(request.body).decode(), True
    # Not a binary media type: API Gateway passes the payload as UTF-8 text, bytes that are not UTF-8
    # included; they arrive as U+FFFD, which is why such APIs declare binaryMediaTypes.
    return request.body.decode("utf-8", "replace"), False


def _query(query_string: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value  # API Gateway keeps the last value in the single-value map
        multi.setdefault(key, []).append(value)
    return single, multi


def build_event(
    request: IncomingRequest,
    route: Route,
    *,
    path: str,
    api_id: str,
    account_id: str,
    stage: str,
    stage_variables: dict[str, str],
    context_path: str,
    binary_media_types: list[str],
    ids: RequestIds,
) -> dict[str, object]:
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    forwarded = [
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-Proto", "https"),
        ("X-Amzn-Trace-Id", ids.trace_id),
    ]
    for name, value in [*request.headers, *forwarded]:
        existing = next((key for key in headers if key.lower() == name.lower()), None)
        key = existing or name
        headers[key] = value
        multi_headers.setdefault(key, []).append(value)
    query, multi_query = _query(request.query_string)
    body, is_base64 = _body(request, binary_media_types)
    requested_at = datetime.datetime.fromtimestamp(ids.epoch_ms / 1000, datetime.UTC)
    domain_prefix = request.host.split(".", 1)[0]
    return {
        "resource": route.resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": route.path_parameters or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "resourceId": route.resource_id,
            "resourcePath": route.resource_path,
            "httpMethod": request.method,
            "extendedRequestId": ids.extended_request_id,
            "requestTime": requested_at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": context_path,
            "accountId": account_id,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": domain_prefix,
            "requestTimeEpoch": ids.epoch_ms,
            "requestId": ids.request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": _header(request, "user-agent"),
                "user": None,
            },
            "domainName": request.host,
            "deploymentId": None,
            "apiId": api_id,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }
