"""AWS/ApiGateway metrics and stage access logs for each request the data plane answers.

The gateway reports which API stage (and route) a request resolved to with one call, `stage_resolved`;
the runtime reports how long the integration took with `note_integration_latency`. Both land in a
thread-local that the WSGI middleware, wrapped around the gateway, reads once the answer is ready:
it then records Count, 4XXError, 5XXError, Latency and IntegrationLatency (dimensions ApiName, Stage)
and queues the stage's access-log line. Requests that resolve to no stage produce no metrics, as on AWS.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from localcloud.observability.logs import LogSink
from localcloud.observability.metrics import MetricStore, series_key

NAMESPACE = "AWS/ApiGateway"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_local = threading.local()
_CONTEXT_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")
_LOG_GROUP_ARN = re.compile(
    r"^arn:aws[a-z-]*:logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):log-group:(?P<group>[^:]+)(:\*)?$"
)


@dataclass
class _Resolved:
    api: Any
    stage: str
    resource_path: str | None


def stage_resolved(api: Any, stage: str, route: Any = None) -> None:
    """Called by the gateway once a request names an existing stage (route is None when none matched)."""
    _local.resolved = _Resolved(api, stage, getattr(route, "resource_path", None))


def note_integration_latency(milliseconds: float) -> None:
    """Called by the Lambda runtime when an invoke returns; read only on data-plane threads."""
    _local.integration_ms = milliseconds


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers if key.lower() == lowered), None)


def _request_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def log_group_of(destination_arn: str) -> tuple[str, str, str] | None:
    """(account, region, log group) of an access-log destination ARN."""
    match = _LOG_GROUP_ARN.match(destination_arn or "")
    return (match["account"], match["region"], match["group"]) if match else None


def render_access_log(template: str, context: dict[str, str]) -> str:
    """The stage's Format with each $context variable replaced; unknown or empty ones become "-"."""
    return _CONTEXT_VARIABLE.sub(lambda m: context.get(m.group(1)) or "-", template)


class ObservedDataPlane:
    """WSGI middleware: times each request and publishes its metrics and access-log line."""

    def __init__(self, app: WsgiApp, store: MetricStore, sink: LogSink) -> None:
        self._app, self._store, self._sink = app, store, sink
        self._streams: dict[tuple[str, str], str] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        _local.resolved = None
        _local.integration_ms = None
        received = time.time()
        started = time.perf_counter()
        answer: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return (
                start_response(status, headers)
                if exc_info is None
                else start_response(status, headers, exc_info)
            )

        body = self._app(environ, capture)
        resolved: _Resolved | None = _local.resolved
        if resolved is None or not answer:
            return body
        latency_ms = (time.perf_counter() - started) * 1000
        integration_ms: float | None = _local.integration_ms
        status = int(str(answer[0]).split(" ", 1)[0])
        try:
            self._publish(resolved, status, latency_ms, integration_ms)
            self._access_log(environ, answer[1], body, resolved, status, received, latency_ms, integration_ms)
        finally:
            _local.resolved = None
        return body

    def _publish(
        self, resolved: _Resolved, status: int, latency_ms: float, integration_ms: float | None
    ) -> None:
        dimensions = {"ApiName": str(resolved.api.name), "Stage": resolved.stage}
        record = self._store.record_key
        record(series_key(NAMESPACE, "Count", dimensions), 1, "Count")
        record(series_key(NAMESPACE, "4XXError", dimensions), 1 if 400 <= status < 500 else 0, "Count")
        record(series_key(NAMESPACE, "5XXError", dimensions), 1 if status >= 500 else 0, "Count")
        record(series_key(NAMESPACE, "Latency", dimensions), latency_ms, "Milliseconds")
        if integration_ms is not None:
            record(series_key(NAMESPACE, "IntegrationLatency", dimensions), integration_ms, "Milliseconds")

    def _access_log(
        self,
        environ: dict[str, Any],
        headers: list[tuple[str, str]],
        body: Iterable[bytes],
        resolved: _Resolved,
        status: int,
        received: float,
        latency_ms: float,
        integration_ms: float | None,
    ) -> None:
        stage = resolved.api.stages.get(resolved.stage)
        settings = getattr(stage, "access_log_settings", None) or {}
        target = log_group_of(str(settings.get("destinationArn") or ""))
        template = settings.get("format")
        if not target or not template:
            return
        length = sum(len(chunk) for chunk in body) if isinstance(body, list) else 0
        host = str(environ.get("HTTP_HOST") or "").rsplit(":", 1)[0]
        integration = f"{integration_ms:.0f}" if integration_ms is not None else "-"
        context = {
            "requestId": _header(headers, "x-amzn-RequestId") or "",
            "extendedRequestId": _header(headers, "x-amz-apigw-id") or "",
            "xrayTraceId": _header(headers, "X-Amzn-Trace-Id") or "",
            "apiId": str(resolved.api.id),
            "accountId": str(getattr(resolved.api, "account_id", "")),
            "stage": resolved.stage,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "identity.sourceIp": str(environ.get("REMOTE_ADDR") or ""),
            "identity.userAgent": str(environ.get("HTTP_USER_AGENT") or ""),
            "requestTime": _request_time(received),
            "requestTimeEpoch": str(int(received * 1000)),
            "httpMethod": str(environ.get("REQUEST_METHOD") or ""),
            "path": str(environ.get("PATH_INFO") or "/"),
            "resourcePath": resolved.resource_path or "",
            "status": str(status),
            "protocol": str(environ.get("SERVER_PROTOCOL") or ""),
            "responseLength": str(length),
            "responseLatency": f"{latency_ms:.0f}",
            "integrationLatency": integration,
            "integration.latency": integration,
            "tlsVersion": str(environ.get("SSL_PROTOCOL") or ""),
            "cipherSuite": str(environ.get("SSL_CIPHER") or ""),
        }
        key = (context["apiId"], resolved.stage)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams.setdefault(key, secrets.token_hex(16))
        self._sink.write((*target, stream), render_access_log(str(template), context), int(received * 1000))
