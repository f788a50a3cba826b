"""Gateway responses an API customises (status code, headers, body template) for the gateway's own errors.

A response type falls back to DEFAULT_4XX / DEFAULT_5XX. Headers take static values ('...') or the
request's `method.request.header.*` / `method.request.querystring.*`; templates may use
`$context.error.messageString`, `$context.error.message`, `$context.error.responseType` and
`$context.requestId`. Anything else in a template cannot be rendered locally: the default body is kept
and the log says so.
Doc: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from localcloud.dataplane.gateway_errors import GatewayError
from localcloud.dataplane.proxy_event import IncomingRequest
from localcloud.dataplane.proxy_response import HttpResponse

log = logging.getLogger("localcloud.dataplane")

_HEADER = "gatewayresponse.header."
_STATIC = re.compile(r"^'(.*)'$", re.DOTALL)


def _configured(api: Any, error: GatewayError) -> Any | None:
    responses = dict(getattr(api, "gateway_responses", None) or {})
    fallback = "DEFAULT_4XX" if 400 <= error.status < 500 else "DEFAULT_5XX"
    return responses.get(error.response_type) or responses.get(fallback)


def _header_value(source: str, request: IncomingRequest) -> str | None:
    static = _STATIC.match(source)
    if static:
        return static.group(1)
    if source.startswith("method.request.header."):
        name = source.removeprefix("method.request.header.").lower()
        return next((v for k, v in request.headers if k.lower() == name), None)
    if source.startswith("method.request.querystring."):
        name = source.removeprefix("method.request.querystring.")
        pairs = [p.partition("=") for p in request.query_string.split("&") if p]
        return next((v for k, _, v in pairs if k == name), None)
    log.warning("Gateway response parameter %s cannot be mapped locally; the header is left out", source)
    return None


def _body(template: str | None, error: GatewayError, request_id: str) -> bytes:
    if template is None:
        return error.body.encode()
    message = error.message
    rendered = (
        template.replace("$context.error.messageString", json.dumps(message))
        .replace("$context.error.message", message or "")
        .replace("$context.error.responseType", error.response_type)
        .replace("$context.requestId", request_id)
    )
    if "$" in rendered or "#" in rendered:
        log.warning("Gateway response template uses mapping features the local cloud cannot render")
        return error.body.encode()
    return rendered.encode()


def customised(
    api: Any, error: GatewayError, request: IncomingRequest, request_id: str
) -> HttpResponse | None:
    """The API's customised answer for this error, or None to send the default one."""
    configured = _configured(api, error)
    if configured is None:
        return None
    status = int(configured.status_code) if configured.status_code else error.status
    headers = [("Content-Type", "application/json")]
    if error.error_type:
        headers.append(("x-amzn-ErrorType", error.error_type))
    for parameter, source in dict(configured.response_parameters or {}).items():
        if parameter.startswith(_HEADER):
            value = _header_value(str(source), request)
            if value is not None:
                headers.append((parameter.removeprefix(_HEADER), value))
    templates = dict(configured.response_templates or {})
    template = templates.get("application/json", next(iter(templates.values()), None))
    return HttpResponse(status, headers, _body(template, error, request_id))
