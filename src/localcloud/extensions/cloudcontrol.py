"""Cloud Control API GetResource for AWS::Lambda::Url, the one read `sam list endpoints` makes of it.

moto has no Cloud Control backend: its server answered 500 with a traceback for every call. Now GetResource
of an AWS::Lambda::Url answers the function's URL configuration, or ResourceNotFoundException when the
function has none; any other type or action answers UnsupportedActionException (fails loudly, never a guess).
Doc: https://docs.aws.amazon.com/cloudcontrolapi/latest/APIReference/API_GetResource.html
"""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from localcloud.patches import Patch, register

from ._moto import DEFAULT_ACCOUNT_ID, awslambda, get_account_id_from, werkzeug_app

_TARGET_PREFIX = "CloudApiService."
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")
_LAMBDA_URL = "AWS::Lambda::Url"


def _caller(environ: dict[str, Any]) -> tuple[str, str]:
    """(account, region) from the request's SigV4 credential scope."""
    found = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not found:
        return DEFAULT_ACCOUNT_ID, "us-east-1"
    return str(get_account_id_from(found.group(1))), found.group(2)


def _respond(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _error(start_response: Callable[..., Any], code: str, message: str) -> Iterable[bytes]:
    return _respond(start_response, "400 Bad Request", {"__type": code, "Message": message})


def get_lambda_url(account_id: str, region_name: str, identifier: str) -> dict[str, Any] | None:
    """The Properties Cloud Control shows for the function's URL, or None when it has none."""
    backend = awslambda.lambda_backends[account_id][region_name]
    try:
        config = backend.get_function(identifier).url_config
    except Exception:  # an unknown function has no URL either
        return None
    if config is None:
        return None
    shown = config.to_dict()
    return {
        "FunctionUrl": shown["FunctionUrl"],
        "FunctionArn": shown["FunctionArn"],
        "TargetFunctionArn": shown["FunctionArn"],
        "AuthType": shown["AuthType"],
        "InvokeMode": shown["InvokeMode"],
    }


def cloud_control_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    action = environ.get("HTTP_X_AMZ_TARGET", "")[len(_TARGET_PREFIX) :]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return _error(start_response, "ValidationException", "The request body is not valid JSON")
    type_name, identifier = str(request.get("TypeName", "")), str(request.get("Identifier", ""))
    if action != "GetResource" or type_name != _LAMBDA_URL:
        return _error(
            start_response,
            "UnsupportedActionException",
            f"Cloud Control {action} of {type_name or 'this type'} is not supported by the local cloud",
        )
    properties = get_lambda_url(*_caller(environ), identifier)
    if properties is None:
        return _error(
            start_response,
            "ResourceNotFoundException",
            f"{_LAMBDA_URL} Handler returned status FAILED: The resource you requested does not exist.",
        )
    return _respond(
        start_response,
        "200 OK",
        {
            "TypeName": _LAMBDA_URL,
            "ResourceDescription": {"Identifier": identifier, "Properties": json.dumps(properties)},
        },
    )


def _route_cloud_control(get_application: Callable[..., Any]) -> Callable[..., Any]:
    def route(self: Any, environ: dict[str, Any]) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(_TARGET_PREFIX):
            return cloud_control_app
        return get_application(self, environ)

    return route


register(
    __name__,
    Patch(
        werkzeug_app.DomainDispatcherApplication,
        "get_application",
        "Cloud Control GetResource of AWS::Lambda::Url (sam list endpoints)",
        wrap=_route_cloud_control,
    ),
)
