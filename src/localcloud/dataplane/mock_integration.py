"""MOCK integrations with static mapping: API Gateway answers from the integration response itself.

The request template's `statusCode` selects the integration response (selectionPattern, else the default
one); its responseParameters give the headers (static values in single quotes) and its response template
the body. Templates that need the mapping language (VTL: `$`, `#`) cannot be rendered locally: such a
method answers 500 and the log says why, never a made-up success.
Docs: https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
"""

from __future__ import annotations

import json
import logging
import re

from localcloud.dataplane.gateway_errors import GatewayError
from localcloud.dataplane.method_config import IntegrationResponseConfig, MethodConfig
from localcloud.dataplane.proxy_response import HttpResponse

log = logging.getLogger("localcloud.dataplane")

_HEADER_PARAMETER = "method.response.header."
_STATIC_VALUE = re.compile(r"^'(.*)'$", re.DOTALL)


class UnsupportedMapping(GatewayError):
    """A mapping template or parameter the local cloud cannot evaluate (500, logged)."""


class UnsupportedMediaType(GatewayError):
    status = 415
    body = '{"message": "Unsupported Media Type"}'
    error_type = "UnsupportedMediaTypeException"
    response_type = "UNSUPPORTED_MEDIA_TYPE"


def _static(template: str | None, what: str) -> str:
    text = template or ""
    if "$" in text or "#" in text:
        log.warning("MOCK %s uses the mapping template language, which the local cloud cannot run", what)
        raise UnsupportedMapping()
    return text


def _mock_status(config: MethodConfig, content_type: str | None, body: bytes) -> str:
    """The statusCode the request template hands to the mock (200 when it names none)."""
    media_type = (content_type or "application/json").split(";", 1)[0].strip().lower()
    templates = config.request_templates
    if media_type in templates:
        payload = _static(templates[media_type], "request template")
    elif config.passthrough_behavior == "NEVER" or (
        config.passthrough_behavior == "WHEN_NO_TEMPLATES" and templates
    ):
        raise UnsupportedMediaType()
    else:
        payload = body.decode("utf-8", "replace")
    try:
        status = json.loads(payload).get("statusCode", 200) if payload.strip() else 200
    except (ValueError, AttributeError):
        status = 200
    return str(status)


def _selected(responses: tuple[IntegrationResponseConfig, ...], status: str) -> IntegrationResponseConfig:
    for response in responses:
        if response.selection_pattern and re.fullmatch(response.selection_pattern, status):
            return response
    default = next((r for r in responses if not r.selection_pattern), None)
    if default is None:
        log.warning("MOCK integration: no integration response matches %s and none is the default", status)
        raise GatewayError()
    return default


def mock_response(config: MethodConfig, content_type: str | None, body: bytes) -> HttpResponse:
    response = _selected(config.integration_responses, _mock_status(config, content_type, body))
    headers: list[tuple[str, str]] = [("Content-Type", "application/json")]
    for parameter, value in response.response_parameters.items():
        if not parameter.startswith(_HEADER_PARAMETER):
            continue
        static = _STATIC_VALUE.match(value)
        if static is None:
            log.warning("MOCK response parameter %s is not a static value: not supported locally", parameter)
            raise UnsupportedMapping()
        headers.append((parameter.removeprefix(_HEADER_PARAMETER), static.group(1)))
    templates = response.response_templates
    template = templates.get("application/json") if "application/json" in templates else None
    if template is None and templates:
        template = next(iter(templates.values()))
    return HttpResponse(int(response.status_code), headers, _static(template, "response template").encode())
