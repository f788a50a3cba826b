"""The HTTPS listener: cheroot's thread-pooled WSGI server behind TLS 1.2+ with per-SNI certificates."""

from __future__ import annotations

import ssl
import threading
from typing import Any

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from localcloud.tls import ServerContexts


class _SniAdapter(BuiltinSSLAdapter):
    """cheroot's TLS adapter with our context (SNI callback issuing leaf certificates) instead of files."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        self.certificate = self.private_key = self.certificate_chain = self.ciphers = None
        self.private_key_password = None
        self._server_env: dict[str, Any] = {}

    def get_environ(self, sock: Any) -> dict[str, Any]:  # type: ignore[override]  # stub lacks sock
        return {"wsgi.url_scheme": "https", "HTTPS": "on"}


class HttpsListener:
    def __init__(self, app: Any, host: str, port: int, contexts: ServerContexts, threads: int = 16) -> None:
        self.server = wsgi.Server(
            (host, port),
            app,
            numthreads=threads,
            max=64,
            server_name="localcloud",
            timeout=60,
            request_queue_size=128,
        )
        self.server.ssl_adapter = _SniAdapter(contexts.default)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.server.prepare()  # binds now, so a busy port fails here and not in the thread
        self._thread = threading.Thread(target=self.server.serve, name="dataplane", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.server.bind_addr[1])

    def stop(self) -> None:
        self.server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
