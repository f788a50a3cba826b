"""The data plane under abuse: silent sockets, idle keep-alives, slow and malformed requests, oversized ones.

Each test holds some hostile connections open and checks that a NEW client is still answered promptly
(a generous one-second bound: before this listener, one silent socket stalled new clients for up to 60 s),
that the hostile connection gets API Gateway's JSON answer or is dropped within its timeout, and that the
server keeps serving afterwards. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fixtures.https_client import ConnectToConnection, Reply, call, fetch
from fixtures.plane import DOMAIN, Plane, running_plane

from localcloud.dataplane.listener import HttpsListener, Timeouts
from localcloud.tls import LocalCertificateAuthority, ServerContexts

TIMEOUTS = Timeouts(handshake=2.0, head=2.0, body=3.0, keep_alive_idle=20.0, write=5.0)
NEW_REQUEST_BOUND_S = 1.0


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plane]:
    with running_plane(tmp_path_factory.mktemp("abuse"), {"echo": []}, TIMEOUTS) as running:
        yield running


def assert_new_request_is_answered_promptly(plane: Plane) -> None:
    started = time.monotonic()
    reply = plane.get(plane.url("echo", "/pets"))
    elapsed = time.monotonic() - started

    assert reply.status == 200, reply.body
    assert json.loads(reply.body)["event"]["path"] == "/pets"
    assert elapsed < NEW_REQUEST_BOUND_S, f"a new request took {elapsed:.2f}s"


def read_reply(tls: ssl.SSLSocket) -> Reply:
    """One HTTP response read from a socket the test wrote its request to by hand."""
    import http.client

    response = http.client.HTTPResponse(tls)  # type: ignore[arg-type]  # a socket is what it reads from
    response.begin()
    return Reply(response.status, response.getheaders(), response.read())


def closed_by_server(sock: socket.socket, within_s: float) -> bool:
    """True when the server closes the connection (EOF or reset) within the given time."""
    sock.settimeout(within_s)
    try:
        while sock.recv(4096):
            pass
    except (ConnectionError, ssl.SSLError):
        return True
    except TimeoutError:
        return False
    return True


def assert_json_error(reply: Reply, status: int, message: str) -> None:
    assert reply.status == status, reply.body
    assert reply.header("Content-Type") == "application/json"
    assert json.loads(reply.body) == {"message": message}


def test_silent_tcp_sockets_do_not_stall_new_clients_and_are_dropped(plane: Plane) -> None:
    with ExitStack() as stack:
        # GIVEN 100 TCP connections that never send a TLS ClientHello
        silent = [
            stack.enter_context(socket.create_connection(("127.0.0.1", plane.port))) for _ in range(100)
        ]

        # WHEN a new client comes THEN it is answered at once
        assert_new_request_is_answered_promptly(plane)

        # AND the silent ones are dropped once the handshake timeout has passed
        assert closed_by_server(silent[0], TIMEOUTS.handshake + 3)
        assert all(closed_by_server(sock, 1.0) for sock in silent[1:])
    assert_new_request_is_answered_promptly(plane)


def test_idle_keep_alive_connections_hold_no_worker(plane: Plane) -> None:
    with ExitStack() as stack:
        # GIVEN 100 TLS keep-alive connections, each idle after one request (25 times the worker threads)
        for _ in range(100):
            connection = plane.connection(plane.host("echo"))
            stack.callback(connection.close)
            assert plane.call(connection, plane.url("echo", "/once")).status == 200

        # WHEN a new client comes THEN it is answered at once
        assert_new_request_is_answered_promptly(plane)


def server_end_of(client: socket.socket) -> socket.socket:
    """The listener's end of a loopback connection (the plane runs in this process), as a duplicate."""
    for name in os.listdir("/proc/self/fd"):
        try:
            candidate = socket.socket(fileno=os.dup(int(name)))
        except OSError:  # not a socket, or closed since the listing
            continue
        try:
            if (
                candidate.family == client.family
                and candidate.type == socket.SOCK_STREAM
                and candidate.getpeername() == client.getsockname()
                and candidate.getsockname() == client.getpeername()
            ):
                return candidate
        except OSError:  # a listening or unconnected socket has no peer
            pass
        candidate.close()
    raise AssertionError(f"no server socket connected to {client.getsockname()}")


def test_answers_are_sent_without_waiting_for_the_clients_ack(plane: Plane) -> None:
    # GIVEN a new TLS connection that got its first answer
    with plane.tls_socket(DOMAIN) as tls:
        tls.sendall(f"GET /prod/pets HTTP/1.1\r\nHost: {plane.host('echo')}\r\n\r\n".encode())
        assert read_reply(tls).status == 200
        # WHEN the server's end of it is inspected
        with server_end_of(tls) as server:
            # THEN Nagle's algorithm is off: a first answer written while the TLS 1.3 session tickets are
            # still unacknowledged would otherwise wait for the client's delayed ACK (40 ms on Linux)
            assert server.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_an_idle_keep_alive_connection_still_serves_its_next_request(plane: Plane) -> None:
    connection = plane.connection(plane.host("echo"))
    try:
        assert plane.call(connection, plane.url("echo", "/one")).status == 200
        time.sleep(
            TIMEOUTS.head + 0.5
        )  # idle for longer than a head may take: keep-alive has its own timeout
        assert plane.call(connection, plane.url("echo", "/two")).status == 200
    finally:
        connection.close()


def test_slowloris_headers_are_cut_off_and_do_not_stall_others(plane: Plane) -> None:
    # GIVEN clients that send their request headers a few bytes at a time, never finishing
    slow = [plane.tls_socket(plane.host("echo")) for _ in range(20)]
    try:
        for tls in slow:
            tls.sendall(b"GET /prod/pets HTTP/1.1\r\nHost: " + plane.host("echo").encode() + b"\r\n")
        started = time.monotonic()
        for _ in range(3):
            for tls in slow:
                tls.sendall(b"X-a: b\r\n")
            # WHEN a new client comes meanwhile THEN it is answered at once
            assert_new_request_is_answered_promptly(plane)
            time.sleep(0.3)

        # AND each slow client is dropped once the head timeout has passed, unanswered
        for tls in slow:
            tls.settimeout(TIMEOUTS.head + 3)
            assert tls.recv(4096) == b""
        assert time.monotonic() - started < TIMEOUTS.head + 4
    finally:
        for tls in slow:
            tls.close()
    assert_new_request_is_answered_promptly(plane)


@pytest.mark.parametrize(
    "framing",
    [
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",  # size is not hex
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",  # chunk not followed by CRLF
        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",  # both framings
        b"Transfer-Encoding: gzip\r\n\r\nhello",  # a coding the server cannot frame
        b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",  # two lengths
        b"Content-Length: -5\r\n\r\n",
    ],
    ids=["bad-size", "missing-crlf", "te-and-cl", "unknown-coding", "two-lengths", "negative-length"],
)
def test_malformed_body_framing_is_a_json_400(plane: Plane, framing: bytes) -> None:
    with plane.tls_socket(plane.host("echo")) as tls:
        tls.sendall(b"POST /prod/pets HTTP/1.1\r\nHost: " + plane.host("echo").encode() + b"\r\n" + framing)

        assert_json_error(read_reply(tls), 400, "Bad Request")
        assert closed_by_server(tls, 3)
    assert_new_request_is_answered_promptly(plane)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /prod/pets HTTP/2.0\r\nHost: x\r\n\r\n",
        b"GET /prod/pets HTTP/1.1\r\nBad Header Line\r\n\r\n",
        b"GET /prod/pets HTTP/1.1\r\n\r\n",  # HTTP/1.1 without Host
        b"GET prod/pets HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["request-line", "version", "header-line", "no-host", "relative-target"],
)
def test_malformed_request_head_is_a_json_400(plane: Plane, request_bytes: bytes) -> None:
    with plane.tls_socket(plane.host("echo")) as tls:
        tls.sendall(request_bytes)

        assert_json_error(read_reply(tls), 400, "Bad Request")
    assert_new_request_is_answered_promptly(plane)


def test_double_slash_path_on_the_custom_domain_reaches_the_resource(plane: Plane) -> None:
    reply = plane.get(f"https://{DOMAIN}//pets")

    assert reply.status == 200, reply.body
    assert json.loads(reply.body)["event"]["path"] == "/pets"


@pytest.mark.parametrize("size", [10241, 1024 * 1024], ids=["just-over-10KB", "1MB"])
def test_headers_over_10_kb_are_a_json_431(plane: Plane, size: int) -> None:
    reply = plane.get(plane.url("echo", "/pets"), headers={"X-Big": "a" * size})

    assert_json_error(reply, 431, "Request Header Fields Too Large")
    assert_new_request_is_answered_promptly(plane)


def test_headers_just_under_10_kb_are_served(plane: Plane) -> None:
    request_line = len("GET /prod/pets HTTP/1.1")
    other_values = len(plane.host("echo")) + len("identity")  # Host, Accept-Encoding sent by http.client
    reply = plane.get(
        plane.url("echo", "/pets"), headers={"X-Big": "a" * (10240 - request_line - other_values)}
    )

    assert reply.status == 200, reply.body


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_10_mb_is_a_json_413(plane: Plane, chunked: bool) -> None:
    payload = b"x" * (10 * 1024 * 1024 + 1)
    body = iter([payload[: 1 << 20], payload[1 << 20 :]]) if chunked else payload

    reply = plane.get(plane.url("echo", "/upload"), method="POST", body=body)

    assert_json_error(reply, 413, "Request Too Long")
    assert_new_request_is_answered_promptly(plane)


def test_an_oversized_body_announced_with_expect_continue_is_refused_before_it_is_sent(plane: Plane) -> None:
    with plane.tls_socket(plane.host("echo")) as tls:
        tls.sendall(
            b"POST /prod/upload HTTP/1.1\r\nHost: "
            + plane.host("echo").encode()
            + b"\r\nContent-Length: 20000000\r\nExpect: 100-continue\r\n\r\n"
        )

        assert_json_error(read_reply(tls), 413, "Request Too Long")


def test_a_slow_body_is_cut_off_after_the_body_timeout(plane: Plane) -> None:
    with plane.tls_socket(plane.host("echo")) as tls:
        tls.sendall(
            b"POST /prod/pets HTTP/1.1\r\nHost: "
            + plane.host("echo").encode()
            + b"\r\nContent-Length: 10\r\n\r\nab"
        )
        assert_new_request_is_answered_promptly(plane)

        assert closed_by_server(tls, TIMEOUTS.body + 3)


def test_past_the_connection_cap_the_longest_idle_connection_makes_room(tmp_path: Path) -> None:
    def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]

    listener = HttpsListener(
        hello, "127.0.0.1", 0, ServerContexts(LocalCertificateAuthority(tmp_path)), max_connections=5
    )
    listener.start()
    address, ca = f"localhost:{listener.port}", tmp_path / "ca.pem"
    idle = [ConnectToConnection("localhost", address, ca, timeout=5) for _ in range(5)]
    try:
        # GIVEN as many idle keep-alive connections as the cap, the first one the longest idle
        for connection in idle:
            assert call(connection, "GET", "https://localhost/").status == 200
            time.sleep(0.05)

        # WHEN one more client connects THEN it is served
        assert fetch(address, ca, "https://localhost/").body == b"hello"

        # AND the longest-idle connection was closed to make room, the others still serve
        assert closed_by_server(idle[0].sock, 2)
        assert call(idle[-1], "GET", "https://localhost/").status == 200
    finally:
        for connection in idle:
            connection.close()
        listener.stop()
