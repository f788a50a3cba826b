"""Where a request ends and what it may hold: the data plane's HTTP/1.1 framing, fed bytes, no socket."""

from __future__ import annotations

import asyncio

import pytest

from localcloud.dataplane.http1 import (
    HEADER_VALUES_LIMIT,
    Deadline,
    HttpError,
    RequestHead,
    body_length,
    read_chunked,
    read_head,
)


def reader_of(data: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=64 * 1024)
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


def head_of(data: bytes) -> RequestHead:
    async def parse() -> RequestHead:
        reader = reader_of(data[1:])
        return await read_head(reader, data[:1], Deadline(5))

    return asyncio.run(parse())


def refusal(data: bytes) -> HttpError:
    with pytest.raises(HttpError) as caught:
        head_of(data)
    return caught.value


def test_header_lines_keep_order_duplicates_and_spelling() -> None:
    head = head_of(b"GET /p?q=1 HTTP/1.1\r\nHost: h\r\nx-dup: one\r\nX-Dup:two \r\nCookie: a=1\r\n\r\n")

    assert head.method == "GET"
    assert head.target == "/p?q=1"
    assert head.headers == [("Host", "h"), ("x-dup", "one"), ("X-Dup", "two"), ("Cookie", "a=1")]
    assert head.values("x-dup") == ["one", "two"]


def test_bare_lf_line_endings_are_accepted() -> None:
    assert head_of(b"GET / HTTP/1.1\nHost: h\n\n").headers == [("Host", "h")]


def test_request_line_and_header_values_up_to_10240_bytes_pass_and_one_more_is_431() -> None:
    request_line = b"GET / HTTP/1.1"
    fits = b"a" * (HEADER_VALUES_LIMIT - len(request_line) - 1)  # Host value "h" counts too

    assert head_of(request_line + b"\r\nHost: h\r\nX: " + fits + b"\r\n\r\n").values("x") == [fits.decode()]
    error = refusal(request_line + b"\r\nHost: h\r\nX: " + fits + b"a\r\n\r\n")
    assert (error.status, error.message) == (431, "Request Header Fields Too Large")


def test_a_line_longer_than_the_reader_buffer_is_431_not_a_crash() -> None:
    assert refusal(b"GET / HTTP/1.1\r\nX: " + b"a" * 100_000 + b"\r\n\r\n").status == 431


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET /\r\n\r\n",  # HTTP/0.9
        b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
    ],
)
def test_malformed_heads_are_400_bad_request(data: bytes) -> None:
    error = refusal(data)

    assert (error.status, error.message) == (400, "Bad Request")


@pytest.mark.parametrize(
    ("version", "connection", "keep_alive"),
    [("1.1", None, True), ("1.1", "close", False), ("1.0", None, False), ("1.0", "keep-alive", True)],
)
def test_keep_alive_follows_version_and_connection(
    version: str, connection: str | None, keep_alive: bool
) -> None:
    extra = f"Connection: {connection}\r\n" if connection else ""
    head = head_of(f"GET / HTTP/{version}\r\nHost: h\r\n{extra}\r\n".encode())

    assert head.keep_alive is keep_alive


def framing(*headers: tuple[str, str]) -> RequestHead:
    return RequestHead("POST", "/", (1, 1), [("Host", "h"), *headers])


def test_body_length_reads_content_length_or_chunked() -> None:
    assert body_length(framing()) == 0
    assert body_length(framing(("Content-Length", "12"))) == 12
    assert (
        body_length(framing(("Content-Length", "12"), ("content-length", "12"))) == 12
    )  # same twice is fine
    assert body_length(framing(("Transfer-Encoding", "Chunked"))) is None


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Length", "1"), ("Content-Length", "2")],
        [("Content-Length", "+1")],
        [("Content-Length", "1, 1x")],
        [("Transfer-Encoding", "chunked"), ("Content-Length", "3")],
        [("Transfer-Encoding", "gzip, chunked")],
    ],
)
def test_ambiguous_framing_is_refused(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(HttpError) as caught:
        body_length(framing(*headers))

    assert caught.value.status == 400


def dechunk(data: bytes, limit: int = 1000) -> bytes:
    async def run() -> bytes:
        return await read_chunked(reader_of(data), limit, Deadline(5))

    return asyncio.run(run())


def test_chunked_body_is_joined_with_extensions_and_trailers_dropped() -> None:
    assert dechunk(b"4;name=v\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n") == b"Wikipedia"


@pytest.mark.parametrize(
    "data", [b"x\r\nabc\r\n0\r\n\r\n", b"3\r\nabcXY0\r\n\r\n", b"-1\r\n\r\n", b"11111111111111111\r\n"]
)
def test_bad_chunks_are_400(data: bytes) -> None:
    with pytest.raises(HttpError) as caught:
        dechunk(data)

    assert caught.value.status == 400


def test_a_chunked_body_over_the_limit_is_read_to_its_end_then_413() -> None:
    async def run() -> tuple[int, bytes]:
        reader = reader_of(b"6\r\n123456\r\n6\r\n123456\r\n0\r\n\r\nNEXT", eof=False)
        with pytest.raises(HttpError) as caught:
            await read_chunked(reader, 10, Deadline(5))
        return caught.value.status, await reader.read(4)

    status, rest = asyncio.run(run())
    assert status == 413
    assert rest == b"NEXT"  # the whole body was consumed, so the client is not cut off mid-send


def test_a_truncated_chunked_body_is_an_incomplete_read() -> None:
    with pytest.raises(asyncio.IncompleteReadError):
        dechunk(b"10\r\nshort")
