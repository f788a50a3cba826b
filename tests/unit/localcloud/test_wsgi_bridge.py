"""The WSGI hand-over: what the gateway sees of a request, and what bytes leave for the client."""

from __future__ import annotations

from typing import Any

import pytest

from localcloud.dataplane.http1 import HttpError, RequestHead
from localcloud.dataplane.proxy_event import RAW_HEADERS, client_headers
from localcloud.dataplane.wsgi_bridge import Response, call_app, encode_response, wsgi_environ

PEER = ("203.0.113.9", 50000)
LOCAL = ("127.0.0.1", 4443)


def environ_of(target: str, *headers: tuple[str, str], body: bytes = b"") -> dict[str, Any]:
    head = RequestHead("POST", target, (1, 1), [("Host", "h"), *headers])
    return wsgi_environ(head, body, PEER, LOCAL)


def test_repeated_lines_are_merged_for_wsgi_but_kept_as_sent_for_the_gateway() -> None:
    environ = environ_of("/p", ("X-Dup", "one"), ("x-dup", "two"), ("Cookie", "a=1"), ("Cookie", "b=2"))

    assert environ["HTTP_X_DUP"] == "one,two"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ[RAW_HEADERS][1:] == [
        ("X-Dup", "one"),
        ("x-dup", "two"),
        ("Cookie", "a=1"),
        ("Cookie", "b=2"),
    ]
    assert client_headers(environ, [])[1:3] == [("X-Dup", "one"), ("x-dup", "two")]


def test_a_server_without_raw_headers_falls_back_to_the_wsgi_view() -> None:
    merged = [("X-Dup", "one,two")]

    assert client_headers({"HTTP_X_DUP": "one,two"}, merged) == merged


def test_path_query_and_body_are_handed_over() -> None:
    environ = environ_of("/a%20b/%C3%BC?x=1&x=2", ("Content-Type", "text/plain"), body=b"hi")

    assert environ["PATH_INFO"].encode("latin-1").decode() == "/a b/ü"
    assert environ["QUERY_STRING"] == "x=1&x=2"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["wsgi.input"].read() == b"hi"
    assert environ["REMOTE_ADDR"] == "203.0.113.9"


@pytest.mark.parametrize(("target", "path"), [("//pets", "/pets"), ("https://h//x?q", "//x")])
def test_leading_empty_segments_and_absolute_form(target: str, path: str) -> None:
    assert environ_of(target)["PATH_INFO"] == path


@pytest.mark.parametrize("target", ["pets", "*", "/a\x01b"])
def test_a_target_that_is_no_path_is_400(target: str) -> None:
    with pytest.raises(HttpError) as caught:
        environ_of(target)

    assert caught.value.status == 400


def test_framing_headers_are_the_listeners_and_line_breaks_never_leave() -> None:
    response = Response(
        "200 OK",
        [("Content-Length", "999"), ("X-Evil", "a\r\nSet-Cookie: stolen=1"), ("X-Fine", "ok")],
        b"body",
    )

    head, body = encode_response(response, keep_alive=True, head_only=False)

    assert body == b"body"
    assert b"Content-Length: 4\r\n" in head
    assert b"stolen" not in head
    assert b"X-Fine: ok\r\n" in head
    assert b"Connection: keep-alive\r\n" in head


def test_head_keeps_the_length_without_the_body_and_204_has_neither() -> None:
    head, body = encode_response(
        Response("200 OK", [("Content-Length", "4")], b""), keep_alive=False, head_only=True
    )
    assert (b"Content-Length: 4\r\n" in head, body) == (True, b"")

    head, body = encode_response(Response("204 No Content", [], b"x"), keep_alive=False, head_only=False)
    assert (b"Content-Length" in head, body) == (False, b"")


def test_an_app_that_raises_is_a_json_500_not_a_dropped_connection() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("bug")

    response = call_app(broken, environ_of("/"))

    assert response.status.startswith("500")
    assert response.body == b'{"message": "Internal server error"}'
