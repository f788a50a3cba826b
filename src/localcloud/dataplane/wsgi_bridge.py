"""The WSGI side of the data plane: a framed request becomes an environ, the answer becomes HTTP/1.1 bytes.

PEP 3333 has one value per header name, so the environ also carries the header lines exactly as sent under
`RAW_HEADERS` (the gateway builds `multiValueHeaders` from them).
"""

from __future__ import annotations

import email.utils
import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from localcloud.dataplane.http1 import HttpError, RequestHead, bad_request
from localcloud.dataplane.proxy_event import RAW_HEADERS

log = logging.getLogger("localcloud.dataplane.listener")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_NO_BODY_STATUSES = {204, 304}
_FRAMING = {"connection", "keep-alive", "transfer-encoding", "content-length", "date"}
_INTERNAL_ERROR = b'{"message": "Internal server error"}'


@dataclass(frozen=True)
class Response:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


def _json_error(status: int, message: str, reason: str) -> Response:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
    return Response(f"{status} {reason}", headers, body)


_REASONS = {400: "Bad Request", 413: "Request Entity Too Large", 431: "Request Header Fields Too Large"}


def error_response(error: HttpError) -> Response:
    """API Gateway's JSON answer to a request the listener refuses itself."""
    return _json_error(error.status, error.message, _REASONS.get(error.status, "Bad Request"))


def _safe(text: str) -> bool:
    return not any(c in text for c in "\r\n\0")


def encode_response(response: Response, keep_alive: bool, head_only: bool) -> tuple[bytes, bytes]:
    code = int(response.status.split(" ", 1)[0])
    lines = [f"HTTP/1.1 {response.status}"]
    length: str | None = None
    for name, value in response.headers:
        if not (_safe(name) and _safe(value)):
            log.warning("Dropped a response header with a line break in it (%r)", name)
            continue  # a header with CR/LF would split the response
        lower = name.lower()
        if lower == "content-length":
            length = value
        if lower not in _FRAMING:
            lines.append(f"{name}: {value}")
    body = b"" if head_only or code in _NO_BODY_STATUSES or code < 200 else response.body
    if code not in _NO_BODY_STATUSES and code >= 200:
        lines.append(f"Content-Length: {length if head_only and length else len(response.body)}")
    lines.append(f"Date: {email.utils.formatdate(usegmt=True)}")
    lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
    text = "\r\n".join(lines) + "\r\n\r\n"
    try:
        return text.encode("latin-1"), body
    except UnicodeEncodeError:
        return text.encode("utf-8"), body


def _path_and_query(target: str) -> tuple[str, str]:
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        raise bad_request("control character in the request target")
    if target.startswith(("http://", "https://")):  # absolute-form (RFC 9112 section 3.2.2)
        parts = urlsplit(target)
        return parts.path or "/", parts.query
    if not target.startswith("/"):
        raise bad_request("request target")
    path, _, query = target.partition("?")
    # API Gateway reads a path with leading empty segments (`//pets`) as `/pets`.
    return "/" + path.lstrip("/"), query


def wsgi_environ(
    head: RequestHead, body: bytes, peer: tuple[Any, ...], local: tuple[Any, ...]
) -> dict[str, Any]:
    path, query = _path_and_query(head.target)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": head.method,
        "SCRIPT_NAME": "",
        # PEP 3333: the URL-decoded path as latin-1 code points of its bytes.
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": head.target,
        "SERVER_NAME": str(local[0]),
        "SERVER_PORT": str(local[1]),
        "SERVER_PROTOCOL": f"HTTP/{head.version[0]}.{head.version[1]}",
        "REMOTE_ADDR": str(peer[0]),
        "REMOTE_PORT": str(peer[1]),
        "HTTPS": "on",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        RAW_HEADERS: list(head.headers),
        "CONTENT_LENGTH": str(len(body)) if body else "",
    }
    for name, value in head.headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if key == "CONTENT_TYPE":
                environ[key] = value
            continue
        key = "HTTP_" + key
        if key in environ:
            # WSGI has one value per name: the merged view (the raw list keeps each line).
            environ[key] += ("; " if key == "HTTP_COOKIE" else ",") + value
        else:
            environ[key] = value
    return environ


def call_app(app: WsgiApp, environ: dict[str, Any]) -> Response:
    """Runs on a pool thread: the whole WSGI call, response body collected."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [(status, list(headers))]
        return written.append

    try:
        result = app(environ, start_response)
        try:
            written.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not started:
            raise RuntimeError("the app did not call start_response")
    except Exception:
        log.exception("Unhandled error answering %s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
        headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", str(uuid.uuid4()))]
        return Response("500 Internal Server Error", headers, _INTERNAL_ERROR)
    status, headers = started[0]
    return Response(status, headers, b"".join(written))
