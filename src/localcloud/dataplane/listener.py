"""The HTTPS listener: an asyncio front end (TLS 1.2+, HTTP/1.1 keep-alive) before a WSGI app on threads.

Why not a thread-per-connection server: there, a TLS handshake on the accept thread lets one silent socket
stall every new client, and each idle keep-alive connection holds a worker thread. Here every connection is a
coroutine on one event loop (handshake included, with its own timeout), so idle and slow clients cost memory,
not threads; only a complete, framed request takes a pool thread, for the time the app runs.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from localcloud.dataplane.http1 import (
    DISCARD_LIMIT,
    LINE_LIMIT,
    PAYLOAD_LIMIT,
    Deadline,
    HttpError,
    RequestHead,
    bad_request,
    body_length,
    payload_too_large,
    read_chunked,
    read_fixed,
    read_head,
)
from localcloud.dataplane.wsgi_bridge import WsgiApp, call_app, encode_response, error_response, wsgi_environ
from localcloud.tls import ServerContexts

log = logging.getLogger("localcloud.dataplane.listener")


@dataclass(frozen=True)
class Timeouts:
    """Seconds each phase of a connection may take before the listener drops it."""

    handshake: float = 10.0
    head: float = 10.0  # a new connection's first request; any request's first byte to its blank line
    body: float = 30.0
    keep_alive_idle: float = 60.0
    write: float = 30.0


def _send_without_delay(writer: asyncio.StreamWriter) -> None:
    """Turns Nagle's algorithm off: an answer is sent when written, never held for an earlier segment's ACK.

    asyncio does this itself only for sockets made with proto=IPPROTO_TCP, and `socket.create_server`
    makes them with 0: every first answer on a connection (written while the TLS 1.3 session tickets
    were still unacknowledged) then waited for the client's delayed ACK, 40 ms on Linux."""
    sock = writer.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HttpsListener:
    def __init__(
        self,
        app: WsgiApp,
        host: str,
        port: int,
        contexts: ServerContexts,
        threads: int = 64,
        timeouts: Timeouts | None = None,
        max_connections: int = 2048,
    ) -> None:
        self._app = app
        self._address = (host, port)
        self._context: ssl.SSLContext = contexts.default
        self.timeouts = timeouts or Timeouts()
        self._max_connections = max_connections
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dataplane")
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._on_loop_error)
        self._sock: socket.socket | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._open: dict[asyncio.StreamWriter, float] = {}
        # Connections waiting for a request, oldest first: the first to go when the cap is reached.
        self._idle: dict[asyncio.StreamWriter, float] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        host, port = self._address
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
        # Bound here, so a busy port fails in the caller and not in the thread.
        self._sock = socket.create_server((host, port), family=family, backlog=1024)
        self._sock.setblocking(False)
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="dataplane", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10) or self._server is None:
            raise RuntimeError("the data plane listener did not start")

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(
                    self._serve,
                    sock=self._sock,
                    ssl=self._context,
                    ssl_handshake_timeout=self.timeouts.handshake,
                    ssl_shutdown_timeout=2.0,
                    limit=LINE_LIMIT,
                )
            )
        finally:
            ready.set()
        self._loop.run_forever()
        self._loop.close()

    @property
    def port(self) -> int:
        assert self._sock is not None
        return int(self._sock.getsockname()[1])

    def stop(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=5)
        except Exception:  # a stop must finish even if a connection misbehaves
            log.debug("Data plane shutdown was not clean", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.abort_clients()  # handshakes in progress too, not only served connections
            await asyncio.wait_for(self._server.wait_closed(), 3)

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, (OSError, ssl.SSLError, TimeoutError)):
            log.debug("Data plane connection error: %s", error)  # a client's broken TLS is not ours to report
            return
        loop.default_exception_handler(context)

    # -- one connection ---------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open[writer] = time.monotonic()
        self._evict_idle()
        _send_without_delay(writer)
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        local = writer.get_extra_info("sockname") or ("127.0.0.1", 0)
        try:
            await self._requests(reader, writer, peer, local)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError) as exc:
            log.debug("Data plane connection from %s closed: %r", peer[0], exc)
        finally:
            self._idle.pop(writer, None)
            self._open.pop(writer, None)
            writer.transport.abort()  # no TLS close_notify wait for a client that may be gone

    def _evict_idle(self) -> None:
        while len(self._open) > self._max_connections and self._idle:
            oldest = next(iter(self._idle))
            del self._idle[oldest]
            self._open.pop(oldest, None)  # counted out now: its task ends on the next loop turn
            log.info("Closing an idle data plane connection: %d connections open", len(self._open))
            oldest.transport.abort()

    async def _next_request_byte(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: bool
    ) -> bytes:
        self._idle[writer] = time.monotonic()
        try:
            timeout = self.timeouts.head if first else self.timeouts.keep_alive_idle
            return await asyncio.wait_for(reader.read(1), timeout)
        finally:
            self._idle.pop(writer, None)

    async def _requests(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: tuple[Any, ...],
        local: tuple[Any, ...],
    ) -> None:
        first = True
        while True:
            byte = await self._next_request_byte(reader, writer, first)
            if not byte:
                return  # the client closed between requests
            first = False
            try:
                head = await read_head(reader, byte, Deadline(self.timeouts.head))
                self._check_host(head)
                body = await self._read_body(reader, writer, head)
                environ = wsgi_environ(head, body, peer, local)
            except HttpError as error:
                log.info("Refused a request from %s: %s (%s)", peer[0], error.status, error.detail)
                await self._refuse(reader, writer, error)
                return
            response = await self._loop.run_in_executor(self._executor, call_app, self._app, environ)
            keep_alive = head.keep_alive and self._server is not None and self._server.is_serving()
            status_line, body = encode_response(response, keep_alive, head.method == "HEAD")
            writer.write(status_line + body)
            await asyncio.wait_for(writer.drain(), self.timeouts.write)
            if not keep_alive:
                return

    @staticmethod
    def _check_host(head: RequestHead) -> None:
        # RFC 9112 section 3.2: an HTTP/1.1 request without exactly one Host header is a 400.
        if head.version >= (1, 1) and len(head.values("host")) != 1:
            raise bad_request("Host header missing or repeated")

    async def _read_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: RequestHead
    ) -> bytes:
        length = body_length(head)
        if length is not None and length > PAYLOAD_LIMIT:
            if not head.expects_continue and length <= DISCARD_LIMIT:
                # Read and drop it: a client that is still sending would otherwise get a reset, not the 413.
                await self._discard(reader, length, Deadline(self.timeouts.body))
            raise payload_too_large()
        if head.expects_continue and length != 0:
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        deadline = Deadline(self.timeouts.body)
        if length is None:
            return await read_chunked(reader, PAYLOAD_LIMIT, deadline)
        return await read_fixed(reader, length, deadline) if length else b""

    @staticmethod
    async def _discard(reader: asyncio.StreamReader, length: int, deadline: Deadline) -> None:
        while length > 0:
            chunk = await asyncio.wait_for(reader.read(min(length, 1 << 16)), deadline.left())
            if not chunk:
                return
            length -= len(chunk)

    async def _refuse(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, error: HttpError
    ) -> None:
        status_line, body = encode_response(error_response(error), keep_alive=False, head_only=False)
        writer.write(status_line + body)
        await asyncio.wait_for(writer.drain(), self.timeouts.write)
        # Drain what the client still sends for a moment, so it reads this answer rather than a reset.
        try:
            deadline = Deadline(1.0)
            received = 0
            while received < 1 << 20:
                chunk = await asyncio.wait_for(reader.read(1 << 16), deadline.left())
                if not chunk:
                    break
                received += len(chunk)
        except (TimeoutError, ConnectionError, ssl.SSLError, OSError):
            pass
