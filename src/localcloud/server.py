"""The local cloud process: moto's control plane on one port, the HTTPS data plane on another."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger("localcloud")

HEALTH_PATH = "/_localcloud/health"
REGION = "us-east-1"
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class ServerConfig:
    host: str = "localhost"
    port: int = 4566
    data_port: int = 4443
    state_dir: Path = Path(".localcloud")
    ephemeral: bool = False  # True: start empty and write no snapshot (the state dir holds only CA and code)


@dataclass(frozen=True)
class Endpoints:
    """Where a started local cloud listens, and what clients need to reach it."""

    endpoint_url: str
    data_address: str
    ca_bundle: Path
    state_dir: Path

    def client_environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": REGION,
            "BLUEGREEN_CONNECT_TO": self.data_address,
            "BLUEGREEN_CA_BUNDLE": str(self.ca_bundle),
        }

    def export_lines(self) -> str:
        return "".join(f"export {key}={value}\n" for key, value in self.client_environment().items())


def _bind_address(host: str) -> str:
    # "localhost" may resolve to ::1 first; clients fall back to 127.0.0.1, so bind the address all have.
    return "127.0.0.1" if host == "localhost" else host


class _Health:
    """Answers the readiness probe on the control port; everything else goes to moto."""

    def __init__(self, app: WsgiApp, status: Callable[[], dict[str, Any]]) -> None:
        self._app, self._status = app, status
        self.generation = 0  # bumped by every API call: the snapshotter saves after changes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.generation += 1
        if environ.get("PATH_INFO") == HEALTH_PATH:
            body = json.dumps(self._status()).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self._app(environ, start_response)


class LocalCloud:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.state_dir = config.state_dir.resolve()
        self._control: BaseWSGIServer | None = None
        self._control_thread: threading.Thread | None = None
        self._data: Any = None
        self._snapshots: Any = None
        self.endpoints: Endpoints | None = None

    def start(self) -> Endpoints:
        from localcloud import extensions, lambda_runtime, observability, state
        from localcloud.dataplane.gateway import Gateway
        from localcloud.dataplane.listener import HttpsListener
        from localcloud.extensions._moto import settings as moto_settings
        from localcloud.extensions._moto import werkzeug_app
        from localcloud.extensions.apigateway_lookup import custom_domain_target
        from localcloud.observability.dataplane_metrics import ObservedDataPlane
        from localcloud.tls import LocalCertificateAuthority, ServerContexts

        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # DNS validation has nothing to wait for locally: the certificate is issued on the next read.
        moto_settings.ACM_VALIDATION_WAIT = 0
        extensions.install()
        if not self.config.ephemeral:
            self._restore()
        observability.start()
        bind = _bind_address(self.config.host)
        health = _Health(
            werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app), self._status
        )
        control = make_server(
            bind, self.config.port, health, threaded=True, request_handler=werkzeug_app.MotoRequestHandler
        )
        endpoint_url = f"http://{self.config.host}:{control.server_port}"
        lambda_runtime.install(self.state_dir, endpoint_url)
        contexts = ServerContexts(LocalCertificateAuthority(self.state_dir))
        gateway = ObservedDataPlane(
            Gateway(lambda_runtime.current, custom_domain_target), observability.store(), observability.sink()
        )
        data = HttpsListener(gateway, bind, self.config.data_port, contexts)
        try:
            data.start()
        except BaseException:
            control.server_close()
            raise
        self._control, self._data = control, data
        self.endpoints = Endpoints(
            endpoint_url, f"{self.config.host}:{data.port}", self.state_dir / "ca.pem", self.state_dir
        )
        (self.state_dir / "env").write_text(self.endpoints.export_lines())
        self._control_thread = threading.Thread(target=control.serve_forever, name="control", daemon=True)
        self._control_thread.start()
        if not self.config.ephemeral:
            self._snapshots = state.Snapshotter(
                self.state_dir / state.SNAPSHOT,
                lambda: {"metrics": observability.store().export()},
                lambda: health.generation,
                lambda: observability.store().generation,
            )
            self._snapshots.start()
        # What starting made (the libraries, moto's and botocore's models, a restored state) lives as long as
        # the server: frozen, a full collection no longer walks it while every request waits for the GIL.
        gc.freeze()
        return self.endpoints

    def _restore(self) -> None:
        """Bring back the last snapshot of this state dir, then drop code no live function uses."""
        from localcloud import observability, state
        from localcloud.extensions._moto import awslambda

        started = time.monotonic()
        extra = state.load(self.state_dir / state.SNAPSHOT)
        if extra is not None:
            observability.store().load(extra.get("metrics") or {})
            log.warning("state restored from %s in %.1f s", self.state_dir, time.monotonic() - started)
        state.prune_code(self.state_dir / "code", state.live_code_dirs(awslambda.lambda_backends))

    def _status(self) -> dict[str, Any]:
        endpoints = self.endpoints
        if endpoints is None:
            return {"status": "starting"}
        return {
            "status": "ready",
            "endpointUrl": endpoints.endpoint_url,
            "dataAddress": endpoints.data_address,
            "caBundle": str(endpoints.ca_bundle),
            "pid": os.getpid(),
        }

    def stop(self) -> None:
        from localcloud import lambda_runtime, observability

        if self._control is not None:
            self._control.shutdown()
            self._control.server_close()
        if self._data is not None:
            self._data.stop()
        if self._snapshots is not None:
            self._snapshots.stop()  # the final snapshot, once no request can change anything
        with contextlib.suppress(RuntimeError):  # the runtime never started
            lambda_runtime.current().shutdown()
        observability.stop()

    def serve_until_signalled(self, on_ready: Callable[[Endpoints], None]) -> None:
        """Start, report, and run until SIGINT or SIGTERM; always stops workers and frees the ports."""
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        try:
            on_ready(self.start())
            while not stop.wait(1.0):
                pass
        finally:
            self.stop()
