"""The WSGI application behind the HTTPS listener: API Gateway's REST request path for Lambda proxies."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from localcloud.dataplane.api_keys import ApiKeyIdentity, validate_api_key
from localcloud.dataplane.api_policy import check_api_policy
from localcloud.dataplane.authorizers import (
    Authorization,
    AuthorizerFunctionFailed,
    LambdaAuthorizers,
    RequestView,
)
from localcloud.dataplane.gateway_errors import (
    AuthorizerConfigurationError,
    BadGateway,
    EndpointTimedOut,
    Forbidden,
    GatewayError,
    MissingAuthenticationToken,
)
from localcloud.dataplane.gateway_responses import customised
from localcloud.dataplane.hosts import CustomDomainHost, ExecuteApiHost, parse_host
from localcloud.dataplane.method_config import AuthorizerConfig, MethodConfig, api_key_source, method_config
from localcloud.dataplane.mock_integration import mock_response
from localcloud.dataplane.model import Route, binary_media_types, find_rest_api, match_route, stage_variables
from localcloud.dataplane.proxy_event import IncomingRequest, RequestIds, build_event, client_headers
from localcloud.dataplane.proxy_response import HttpResponse, MalformedProxyResponse, map_proxy_result
from localcloud.dataplane.request_validation import validate_request
from localcloud.dataplane.resource_policy import api_gateway_may_invoke
from localcloud.dataplane.routing_rules import DomainTarget
from localcloud.dataplane.throttling import Throttling
from localcloud.lambda_runtime import CallerTimedOut, InvokeResult, LambdaRuntime, Throttled
from localcloud.lambda_runtime.interpreter import UnsupportedRuntime
from localcloud.lambda_runtime.moto_adapter import lambda_function, spec_from_moto
from localcloud.observability.dataplane_metrics import stage_resolved

log = logging.getLogger("localcloud.dataplane")

__all__ = [
    "BadGateway",
    "EndpointTimedOut",
    "Forbidden",
    "Gateway",
    "GatewayError",
    "MissingAuthenticationToken",
    "incoming_request",
]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
# (domain name, request headers, request path) -> the API stage and the path it sees, by rules or mapping
LiveTarget = Callable[[str, Sequence[tuple[str, str]], str], DomainTarget | None]

_LAMBDA_URI = re.compile(
    r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(?P<arn>.+)/invocations$"
)
_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:(?P<name>[^:]+)(:(?P<q>.+))?$"
)
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_HOP_BY_HOP = {"content-length", "connection", "transfer-encoding", "keep-alive"}
_DEFAULT_TIMEOUT_S = 29.0


class _LambdaUnavailable(Exception):
    """The function cannot be invoked: unknown, not permitted, throttled, or of an unsupported runtime."""


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


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
    headers = client_headers(environ, headers)
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
        self._authorizers = LambdaAuthorizers(self._invoke_authorizer)
        self._throttling = Throttling()

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
            target = self._live_target(host.domain_name, request.headers, request.path)  # one read each
            if target is None:
                raise MissingAuthenticationToken()
            api = find_rest_api(target.rest_api_id)
            if api is None:
                raise MissingAuthenticationToken()
            return api, target.stage, target.path, request.path
        raise MissingAuthenticationToken()

    def handle(self, request: IncomingRequest, ids: RequestIds) -> HttpResponse:
        api, stage, path, context_path = self._target(request)
        try:
            return self._handle_api(request, ids, api, stage, path, context_path)
        except GatewayError as error:
            custom = customised(api, error, request, ids.request_id)  # the API's gateway responses
            if custom is None:
                raise
            return custom

    def _handle_api(
        self, request: IncomingRequest, ids: RequestIds, api: Any, stage: str, path: str, context_path: str
    ) -> HttpResponse:
        variables = stage_variables(api, stage) if stage else None
        if variables is None:
            raise MissingAuthenticationToken()
        route = match_route(api, path, request.method)
        stage_resolved(api, stage, route)  # metrics and access logs of this stage (observability)
        if route is None:
            raise MissingAuthenticationToken()
        config = method_config(api, route)
        if config is None:
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
        # API Gateway's order: the stage's method throttle, authorization, the API key with its usage
        # plan's throttle and quota, request validation, then the integration.
        self._throttling.check_stage(str(api.id), api.stages.get(stage), route.resource_path, request.method)
        method_arn = _execute_api_arn(api, f"{stage}/{request.method}/{path.lstrip('/')}")
        check_api_policy(api, method_arn, request.source_ip, config.authorization_type == "CUSTOM")
        authorization = self._authorize(api, stage, config, event, method_arn)
        api_key = self._api_key(api, stage, request, config, authorization)
        if api_key is not None and api_key.plan is not None:
            self._throttling.check_plan(
                api_key.plan, api_key.key_id, str(api.id), stage, route.resource_path, request.method
            )
        validate_request(api, config.validation, request, route.path_parameters)
        _decorate(event, authorization, api_key)
        if route.integration_type == "MOCK":
            content_type = next((v for k, v in request.headers if k.lower() == "content-type"), None)
            return mock_response(config, content_type, request.body)
        source_arn = _execute_api_arn(api, f"{stage}/{request.method}{route.resource_path}")
        payload = self._invoke(route, config, variables, json.dumps(event).encode(), source_arn)
        accept = next((v for k, v in request.headers if k.lower() == "accept"), None)
        try:
            return map_proxy_result(payload, accept, binary_types)
        except MalformedProxyResponse as exc:
            log.warning("Malformed Lambda proxy response (%s) for %s", exc, ids.request_id)
            raise BadGateway() from None

    def _authorize(
        self, api: Any, stage: str, config: MethodConfig, event: dict[str, Any], method_arn: str
    ) -> Authorization | None:
        if config.authorization_type == "NONE":
            return None
        if config.authorization_type == "AWS_IAM":
            headers = {str(k).lower() for k in dict(event["headers"])}
            if "authorization" not in headers:
                raise MissingAuthenticationToken()
            log.warning("AWS_IAM (SigV4) authorization cannot be verified by the local cloud")
            raise GatewayError()
        if config.authorizer is None:
            log.warning("Method authorization %s names no authorizer", config.authorization_type)
            raise AuthorizerConfigurationError()
        context: dict[str, Any] = event["requestContext"]
        view = RequestView(
            headers={str(k).lower(): str(v) for k, v in dict(event["headers"]).items()},
            query=dict(event["queryStringParameters"] or {}),
            stage_variables=dict(event["stageVariables"] or {}),
            context=context,
        )

        def request_event() -> dict[str, Any]:
            return {k: v for k, v in event.items() if k not in ("body", "isBase64Encoded")}

        return self._authorizers.authorize(
            config.authorizer, view, method_arn, (str(api.id), stage), request_event
        )

    def _api_key(
        self,
        api: Any,
        stage: str,
        request: IncomingRequest,
        config: MethodConfig,
        authorization: Authorization | None,
    ) -> ApiKeyIdentity | None:
        if not config.api_key_required:
            return None
        if api_key_source(api) == "AUTHORIZER":
            presented = authorization.usage_identifier_key if authorization else None
        else:
            presented = next((v for k, v in request.headers if k.lower() == "x-api-key"), None)
        return validate_api_key(api, stage, presented)

    def _function(self, uri: str, variables: dict[str, str]) -> tuple[Any, str]:
        """moto's function an invocation URI names, and the ARN it is invoked as."""
        uri = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), uri)
        uri_match = _LAMBDA_URI.match(uri)
        arn_match = _FUNCTION_ARN.match(uri_match.group("arn")) if uri_match else None
        if arn_match is None:
            log.warning("Integration URI %s names no Lambda function", uri)
            raise _LambdaUnavailable()
        try:
            function = lambda_function(
                arn_match["account"], arn_match["region"], arn_match["name"], arn_match["q"]
            )
        except Exception:  # moto raises its own UnknownFunctionException
            log.warning(
                "Execution failed due to configuration error: function %s not found", arn_match["name"]
            )
            raise _LambdaUnavailable() from None
        return function, arn_match.group(0)

    def _call(
        self,
        uri: str,
        variables: dict[str, str],
        payload: bytes,
        *,
        source_arn: str,
        credentials: str | None,
        timeout_s: float,
    ) -> InvokeResult:
        function, invoked_arn = self._function(uri, variables)
        # With credentials API Gateway assumes that role instead of relying on the resource policy.
        if credentials is None and not api_gateway_may_invoke(function, source_arn, source_arn.split(":")[4]):
            log.warning(
                "Execution failed due to configuration error: Invalid permissions on Lambda function %s "
                "(no resource policy statement allows apigateway.amazonaws.com for %s)",
                invoked_arn,
                source_arn,
            )
            raise _LambdaUnavailable()
        try:
            return self._runtime().invoke(
                spec_from_moto(function), payload, invoked_arn=invoked_arn, caller_timeout_s=timeout_s
            )
        except (Throttled, UnsupportedRuntime) as exc:
            log.warning("Lambda invoke failed: %s", exc)
            raise _LambdaUnavailable() from None

    def _invoke(
        self, route: Route, config: MethodConfig, variables: dict[str, str], event: bytes, source_arn: str
    ) -> bytes:
        if route.integration_type != "AWS_PROXY" or route.integration_uri is None:
            log.warning(
                "Integration %s is not served locally (only AWS_PROXY to Lambda and MOCK)",
                route.integration_type,
            )
            raise GatewayError()
        try:
            result = self._call(
                route.integration_uri,
                variables,
                event,
                source_arn=source_arn,
                credentials=config.integration_credentials,
                timeout_s=route.timeout_ms / 1000,
            )
        except CallerTimedOut:
            raise EndpointTimedOut() from None
        except _LambdaUnavailable:
            raise GatewayError() from None
        if result.function_error:
            raise BadGateway()
        return result.payload

    def _invoke_authorizer(
        self, authorizer: AuthorizerConfig, event: dict[str, Any], variables: dict[str, str]
    ) -> Any:
        if authorizer.uri is None:
            raise AuthorizerConfigurationError()
        api_arn = event["methodArn"].split("/", 1)[0]
        try:
            result = self._call(
                authorizer.uri,
                variables,  # an authorizer URI may name ${stageVariables.x}, as an integration URI may
                json.dumps(event).encode(),
                source_arn=f"{api_arn}/authorizers/{authorizer.id}",
                credentials=authorizer.credentials,
                timeout_s=_DEFAULT_TIMEOUT_S,
            )
        except (CallerTimedOut, _LambdaUnavailable):
            raise AuthorizerConfigurationError() from None
        try:
            answer = json.loads(result.payload)
        except ValueError:
            raise AuthorizerConfigurationError() from None
        if result.function_error:
            message = answer.get("errorMessage") if isinstance(answer, dict) else None
            raise AuthorizerFunctionFailed(str(message))
        return answer


def _execute_api_arn(api: Any, tail: str) -> str:
    return f"arn:aws:execute-api:{api.region_name}:{api.account_id}:{api.id}/{tail}"


def _decorate(
    event: dict[str, Any], authorization: Authorization | None, api_key: ApiKeyIdentity | None
) -> None:
    """What the integration learns from the gateway: requestContext.authorizer and the API key used."""
    context: dict[str, Any] = event["requestContext"]
    if authorization is not None:
        context["authorizer"] = {
            **authorization.context,
            "principalId": authorization.principal_id,
            "integrationLatency": authorization.latency_ms,
        }
    if api_key is not None:
        context["identity"]["apiKey"] = api_key.value
        context["identity"]["apiKeyId"] = api_key.key_id
