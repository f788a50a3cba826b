"""The WSGI application behind the HTTPS listener: API Gateway's REST request path for Lambda proxies."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from localcloud.dataplane.hosts import CustomDomainHost, ExecuteApiHost, parse_host
from localcloud.dataplane.model import Route, binary_media_types, find_rest_api, match_route, stage_variables
from localcloud.dataplane.proxy_event import IncomingRequest, RequestIds, build_event
from localcloud.dataplane.proxy_response import HttpResponse, MalformedProxyResponse, map_proxy_result
from localcloud.lambda_runtime import CallerTimedOut, LambdaRuntime, Throttled
from localcloud.lambda_runtime.interpreter import UnsupportedRuntime
from localcloud.lambda_runtime.moto_adapter import lambda_function, spec_from_moto
from localcloud.observability.dataplane_metrics import stage_resolved

log = logging.getLogger("localcloud.dataplane")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
LiveTarget = Callable[[str], tuple[str, str] | None]

_LAMBDA_URI = re.compile(
    r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(?P<arn>.+)/invocations$"
)
_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:(?P<name>[^:]+)(:(?P<q>.+))?$"
)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class GatewayError(Exception):
    """An answer API Gateway gives itself, without (or instead of) the integration's."""

    status = 500
    body = '{"message": "Internal server error"}'
    error_type: str | None = "InternalServerErrorException"


class MissingAuthenticationToken(GatewayError):
    status = 403
    body = '{"message":"Missing Authentication Token"}'
    error_type = "MissingAuthenticationTokenException"


class Forbidden(GatewayError):
    status = 403
    body = '{"message":"Forbidden"}'
    error_type = "ForbiddenException"


class BadGateway(GatewayError):
    status = 502


class EndpointTimedOut(GatewayError):
    status = 504
    body = '{"message": "Endpoint request timed out"}'


def _header_name(environ_key: str) -> str:
    return "-".join(part.capitalize() for part in environ_key[5:].split("_"))


def incoming_request(environ: dict[str, Any]) -> IncomingRequest:
    headers: list[tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((_header_name(key), str(value)))
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers.append((name, str(environ[key])))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
        body = environ["wsgi.input"].read()  # the server de-chunks; there is no length to go by
    else:
        body = environ["wsgi.input"].read(length) if length > 0 else b""
    # WSGI hands the path over as latin-1 decoded bytes; API Gateway sees UTF-8.
    path = str(environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")
    host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")
    return IncomingRequest(
        method=str(environ["REQUEST_METHOD"]).upper(),
        path=path or "/",
        query_string=str(environ.get("QUERY_STRING") or ""),
        headers=headers,
        body=body,
        source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
        host=host.rsplit(":", 1)[0] if not host.startswith("[") else host,
    )


def _new_ids() -> RequestIds:
    trace = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    extended = (
        base64.b64encode(secrets.token_bytes(12)).decode().replace("+", "A").replace("/", "B")[:15] + "="
    )
    return RequestIds(str(uuid.uuid4()), extended, trace, int(time.time() * 1000))


class Gateway:
    """Resolves host -> API stage -> resource -> Lambda, and maps the result back, as API Gateway does."""

    def __init__(self, runtime: Callable[[], LambdaRuntime], live_target: LiveTarget) -> None:
        self._runtime = runtime
        self._live_target = live_target

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        ids = _new_ids()
        started = time.perf_counter()
        request = incoming_request(environ)
        try:
            response = self.handle(request, ids)
        except GatewayError as error:
            headers = [("Content-Type", "application/json")]
            if error.error_type:
                headers.append(("x-amzn-ErrorType", error.error_type))
            response = HttpResponse(error.status, headers, error.body.encode())
        # Framing headers are the listener's business, whatever the function returned.
        headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
        headers += [
            ("x-amzn-RequestId", ids.request_id),
            ("x-amz-apigw-id", ids.extended_request_id),
            ("X-Amzn-Trace-Id", ids.trace_id),
            ("Content-Length", str(len(response.body))),
        ]
        start_response(f"{response.status} {_reason(response.status)}", headers)
        log.info(
            "%s %s %s %s %.1fms",
            request.method,
            request.host,
            request.path,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return [b"" if request.method == "HEAD" else response.body]

    def _target(self, request: IncomingRequest) -> tuple[Any, str, str, str]:
        """(api, stage, path inside the stage, requestContext.path) or a 403."""
        host = parse_host(request.host)
        if isinstance(host, ExecuteApiHost):
            api = find_rest_api(host.api_id, host.region)
            if api is None:
                raise MissingAuthenticationToken()
            if api.disableExecuteApiEndpoint:
                raise Forbidden()
            stage, _, rest = request.path.lstrip("/").partition("/")
            return api, stage, "/" + rest, request.path
        if isinstance(host, CustomDomainHost):
            target = self._live_target(host.domain_name)  # one atomic read per request
            if target is None:
                raise MissingAuthenticationToken()
            api = find_rest_api(target[0])
            if api is None:
                raise MissingAuthenticationToken()
            return api, target[1], request.path, request.path
        raise MissingAuthenticationToken()

    def handle(self, request: IncomingRequest, ids: RequestIds) -> HttpResponse:
        api, stage, path, context_path = self._target(request)
        variables = stage_variables(api, stage) if stage else None
        if variables is None:
            raise MissingAuthenticationToken()
        route = match_route(api, path, request.method)
        stage_resolved(api, stage, route)  # metrics and access logs of this stage (observability)
        if route is None:
            raise MissingAuthenticationToken()
        binary_types = binary_media_types(api)
        event = build_event(
            request,
            route,
            path=path,
            api_id=str(api.id),
            account_id=str(api.account_id),
            stage=stage,
            stage_variables=variables,
            context_path=context_path,
            binary_media_types=binary_types,
            ids=ids,
        )
        payload = self._invoke(route, variables, json.dumps(event).encode())
        accept = next((v for k, v in request.headers if k.lower() == "accept"), None)
        try:
            return map_proxy_result(payload, accept, binary_types)
        except MalformedProxyResponse as exc:
            log.warning("Malformed Lambda proxy response (%s) for %s", exc, ids.request_id)
            raise BadGateway() from None

    def _invoke(self, route: Route, variables: dict[str, str], event: bytes) -> bytes:
        if route.integration_type != "AWS_PROXY" or route.integration_uri is None:
            log.warning(
                "Integration %s is not served locally (only AWS_PROXY to Lambda)", route.integration_type
            )
            raise GatewayError()
        uri = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), route.integration_uri)
        uri_match = _LAMBDA_URI.match(uri)
        arn_match = _FUNCTION_ARN.match(uri_match.group("arn")) if uri_match else None
        if arn_match is None:
            log.warning("Integration URI %s names no Lambda function", uri)
            raise GatewayError()
        try:
            function = lambda_function(
                arn_match["account"], arn_match["region"], arn_match["name"], arn_match["q"]
            )
        except Exception:  # moto raises its own UnknownFunctionException
            log.warning(
                "Execution failed due to configuration error: function %s not found", arn_match["name"]
            )
            raise GatewayError() from None
        try:
            result = self._runtime().invoke(
                spec_from_moto(function),
                event,
                invoked_arn=arn_match.group(0),
                caller_timeout_s=route.timeout_ms / 1000,
            )
        except CallerTimedOut:
            raise EndpointTimedOut() from None
        except (Throttled, UnsupportedRuntime) as exc:
            log.warning("Lambda invoke failed: %s", exc)
            raise GatewayError() from None
        if result.function_error:
            raise BadGateway()
        return result.payload
