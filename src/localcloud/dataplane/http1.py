"""HTTP/1.1 request framing for the data plane: request line, header lines, Content-Length or chunked body.

Strict where a lenient parser would let two servers disagree about where a request ends (request
smuggling): a request with both Content-Length and Transfer-Encoding, or two different lengths, is refused.
Every read has a deadline and every size a limit, so a slow or hostile client costs one coroutine, never a
thread, and is cut off in bounded time.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

# API Gateway (REST): "Total combined size of request line and header values: 10240 bytes", "Payload size:
# 10 MB" (api-gateway-execution-service-limits-table).
HEADER_VALUES_LIMIT = 10240
PAYLOAD_LIMIT = 10 * 1024 * 1024
# A line longer than this cannot be part of an acceptable head; the reader stops buffering there.
LINE_LIMIT = 64 * 1024
# An oversized body is read and dropped up to this size so the client can finish sending and read the 413.
DISCARD_LIMIT = 4 * PAYLOAD_LIMIT
_MAX_HEADER_LINES = 200

_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_REQUEST_LINE = re.compile(rb"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP/(\d)\.(\d)$")
_CHUNK_SIZE = re.compile(rb"^([0-9A-Fa-f]{1,16})[ \t]*(;.*)?$")


class HttpError(Exception):
    """A request the listener answers itself, with API Gateway's status and JSON message, then closes."""

    def __init__(self, status: int, message: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.message = message
        self.detail = detail  # for the log only: what exactly was wrong


def bad_request(detail: str) -> HttpError:
    return HttpError(400, "Bad Request", detail)


def headers_too_large() -> HttpError:
    return HttpError(431, "Request Header Fields Too Large", "request line and headers over the limit")


def payload_too_large() -> HttpError:
    return HttpError(413, "Request Too Long", "payload over the limit")


@dataclass(frozen=True)
class RequestHead:
    method: str
    target: str
    version: tuple[int, int]
    headers: list[tuple[str, str]]  # as sent: order, duplicates and name spelling kept

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]

    def tokens(self, name: str) -> list[str]:
        return [t.strip().lower() for value in self.values(name) for t in value.split(",") if t.strip()]

    @property
    def keep_alive(self) -> bool:
        connection = self.tokens("connection")
        if self.version >= (1, 1):
            return "close" not in connection
        return "keep-alive" in connection

    @property
    def expects_continue(self) -> bool:
        return self.version >= (1, 1) and "100-continue" in self.tokens("expect")


class Deadline:
    """The time left for one phase (head, body); a read past it is a timeout."""

    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def left(self) -> float:
        left = self._at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


async def _line(reader: asyncio.StreamReader, deadline: Deadline) -> bytes:
    try:
        line = await asyncio.wait_for(reader.readline(), deadline.left())
    except ValueError:  # the StreamReader's limit: a line longer than LINE_LIMIT
        raise headers_too_large() from None
    if not line.endswith(b"\n"):
        raise asyncio.IncompleteReadError(line, None)
    return line.rstrip(b"\r\n") if line.endswith(b"\r\n") else line[:-1]


async def read_head(reader: asyncio.StreamReader, first_byte: bytes, deadline: Deadline) -> RequestHead:
    """The request line and headers; `first_byte` was read by the caller while the connection was idle."""
    request_line = first_byte + await _line(reader, deadline)
    match = _REQUEST_LINE.match(request_line)
    if match is None:
        raise bad_request("request line")
    method, target, major, minor = match.groups()
    if major != b"1":
        raise bad_request("version")
    size = len(request_line)
    headers: list[tuple[str, str]] = []
    while True:
        line = await _line(reader, deadline)
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            raise bad_request("obsolete line folding")  # RFC 9112 section 5.2: reject or unfold
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.match(name):
            raise bad_request("header line")
        value = value.strip(b" \t")
        size += len(value)
        if size > HEADER_VALUES_LIMIT or len(headers) >= _MAX_HEADER_LINES:
            raise headers_too_large()
        # Header bytes are ISO-8859-1 on the wire (RFC 9110 section 5.5), as WSGI hands them on.
        headers.append((name.decode("ascii"), value.decode("latin-1")))
    return RequestHead(method.decode("ascii"), target.decode("latin-1"), (1, int(minor)), headers)


def body_length(head: RequestHead) -> int | None:
    """The Content-Length to read, None for a chunked body; refuses framing two servers could disagree on."""
    encodings = head.tokens("transfer-encoding")
    lengths = {value.strip() for value in head.values("content-length")}
    if encodings:
        if lengths or encodings != ["chunked"]:
            raise bad_request("transfer-encoding")
        return None
    if not lengths:
        return 0
    if len(lengths) != 1:
        raise bad_request("content-length")
    text = lengths.pop()
    if not text.isdigit() or len(text) > 18:
        raise bad_request("content-length")
    return int(text)


async def read_fixed(reader: asyncio.StreamReader, length: int, deadline: Deadline) -> bytes:
    return await asyncio.wait_for(reader.readexactly(length), deadline.left())


async def read_chunked(reader: asyncio.StreamReader, limit: int, deadline: Deadline) -> bytes:
    """A chunked body, de-chunked; trailers are read and dropped. Raises payload_too_large past `limit`."""
    body = bytearray()
    received = 0
    while True:
        size_line = await _line(reader, deadline)
        match = _CHUNK_SIZE.match(size_line)
        if match is None:
            raise bad_request("chunk size")
        size = int(match.group(1), 16)
        if size == 0:
            break
        chunk = await asyncio.wait_for(reader.readexactly(size), deadline.left())
        if await asyncio.wait_for(reader.readexactly(2), deadline.left()) != b"\r\n":
            raise bad_request("chunk end")
        received += size
        if received > DISCARD_LIMIT:
            raise payload_too_large()
        if received <= limit:
            body += chunk
        # Past the limit the rest is read and dropped, so the client gets the 413 instead of a reset.
    while await _line(reader, deadline):  # trailer section, up to the empty line
        pass
    if received > limit:
        raise payload_too_large()
    return bytes(body)
