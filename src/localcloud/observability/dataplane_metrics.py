"""AWS/ApiGateway metrics and stage access logs for each request the data plane answers.

The gateway reports which API stage (and route) a request resolved to with one call, `stage_resolved`;
the runtime reports how long the integration took with `note_integration_latency`. Both land in a
thread-local that the WSGI middleware, wrapped around the gateway, reads once the answer is ready:
it then records Count, 4XXError, 5XXError, Latency and IntegrationLatency (dimensions ApiName, Stage)
and queues the stage's access-log line. Requests that resolve to no stage produce no metrics, as on AWS.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from localcloud.observability.logs import LogSink
from localcloud.observability.metrics import MetricStore, SeriesKey, series_key

NAMESPACE = "AWS/ApiGateway"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_METRICS = ("Count", "4XXError", "5XXError", "Latency", "IntegrationLatency")
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


@functools.lru_cache(maxsize=64)
def _compiled(template: str) -> tuple[tuple[str, str | None], ...]:
    """The Format split once into (literal text, $context variable name or None) parts."""
    parts: list[tuple[str, str | None]] = []
    position = 0
    for match in _CONTEXT_VARIABLE.finditer(template):
        parts.append((template[position : match.start()], match.group(1)))
        position = match.end()
    parts.append((template[position:], None))
    return tuple(parts)


@dataclass(frozen=True)
class RequestFacts:
    """What one answered request's access-log line can tell, computed only when the Format asks."""

    environ: dict[str, Any]
    headers: list[tuple[str, str]]
    api: Any
    stage: str
    resource_path: str | None
    status: int
    received: float
    latency_ms: float
    integration_ms: float | None
    length: int

    def host(self) -> str:
        return str(self.environ.get("HTTP_HOST") or "").rsplit(":", 1)[0]

    def integration(self) -> str:
        return f"{self.integration_ms:.0f}" if self.integration_ms is not None else ""


_CONTEXT: dict[str, Callable[[RequestFacts], str]] = {
    "requestId": lambda f: _header(f.headers, "x-amzn-RequestId") or "",
    "extendedRequestId": lambda f: _header(f.headers, "x-amz-apigw-id") or "",
    "xrayTraceId": lambda f: _header(f.headers, "X-Amzn-Trace-Id") or "",
    "apiId": lambda f: str(f.api.id),
    "accountId": lambda f: str(getattr(f.api, "account_id", "")),
    "stage": lambda f: f.stage,
    "domainName": RequestFacts.host,
    "domainPrefix": lambda f: f.host().split(".", 1)[0],
    "identity.sourceIp": lambda f: str(f.environ.get("REMOTE_ADDR") or ""),
    "identity.userAgent": lambda f: str(f.environ.get("HTTP_USER_AGENT") or ""),
    "requestTime": lambda f: _request_time(f.received),
    "requestTimeEpoch": lambda f: str(int(f.received * 1000)),
    "httpMethod": lambda f: str(f.environ.get("REQUEST_METHOD") or ""),
    "path": lambda f: str(f.environ.get("PATH_INFO") or "/"),
    "resourcePath": lambda f: f.resource_path or "",
    "status": lambda f: str(f.status),
    "protocol": lambda f: str(f.environ.get("SERVER_PROTOCOL") or ""),
    "responseLength": lambda f: str(f.length),
    "responseLatency": lambda f: f"{f.latency_ms:.0f}",
    "integrationLatency": RequestFacts.integration,
    "integration.latency": RequestFacts.integration,
    "tlsVersion": lambda f: str(f.environ.get("SSL_PROTOCOL") or ""),
    "cipherSuite": lambda f: str(f.environ.get("SSL_CIPHER") or ""),
}


def render_access_log(template: str, facts: RequestFacts) -> str:
    """The stage's Format with each $context variable replaced; unknown or empty ones become "-"."""
    pieces = []
    for text, name in _compiled(template):
        pieces.append(text)
        if name is not None:
            value = _CONTEXT.get(name)
            pieces.append((value(facts) if value else "") or "-")
    return "".join(pieces)


class ObservedDataPlane:
    """WSGI middleware: times each request and publishes its metrics and access-log line."""

    def __init__(self, app: WsgiApp, store: MetricStore, sink: LogSink) -> None:
        self._app, self._store, self._sink = app, store, sink
        self._streams: dict[tuple[str, str], str] = {}
        self._keys: dict[tuple[str, str], tuple[SeriesKey, ...]] = {}

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

    def _series(self, api_name: str, stage: str) -> tuple[SeriesKey, ...]:
        keys = self._keys.get((api_name, stage))
        if keys is None:
            dimensions = {"ApiName": api_name, "Stage": stage}
            keys = tuple(series_key(NAMESPACE, metric, dimensions) for metric in _METRICS)
            self._keys[(api_name, stage)] = keys
        return keys

    def _publish(
        self, resolved: _Resolved, status: int, latency_ms: float, integration_ms: float | None
    ) -> None:
        count, client, server, latency, integration = self._series(str(resolved.api.name), resolved.stage)
        points = [
            (count, 1.0, "Count"),
            (client, 1.0 if 400 <= status < 500 else 0.0, "Count"),
            (server, 1.0 if status >= 500 else 0.0, "Count"),
            (latency, latency_ms, "Milliseconds"),
        ]
        if integration_ms is not None:
            points.append((integration, integration_ms, "Milliseconds"))
        self._store.record_many(points)

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
        facts = RequestFacts(
            environ,
            headers,
            resolved.api,
            resolved.stage,
            resolved.resource_path,
            status,
            received,
            latency_ms,
            integration_ms,
            sum(len(chunk) for chunk in body) if isinstance(body, list) else 0,
        )
        key = (str(resolved.api.id), resolved.stage)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams.setdefault(key, secrets.token_hex(16))
        self._sink.write((*target, stream), render_access_log(str(template), facts), int(received * 1000))
