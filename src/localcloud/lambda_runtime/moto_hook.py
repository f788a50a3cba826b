"""Routes moto's Lambda Invoke API to the local runtime instead of Docker."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from localcloud.extensions._moto import BaseResponse, LambdaBackend, LambdaClientError, LambdaFunction
from localcloud.lambda_runtime.interpreter import UnsupportedRuntime
from localcloud.lambda_runtime.moto_adapter import spec_from_moto
from localcloud.lambda_runtime.runtime import LambdaRuntime, Throttled
from localcloud.patches import Patch, register, registry


class InvalidRequestContentException(LambdaClientError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestContentException", message)


class InvalidRuntimeException(LambdaClientError):
    code = 502

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRuntimeException", message)


class TooManyRequestsException(LambdaClientError):
    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


log = logging.getLogger("localcloud.lambda")

# Lambda answers with the invoke's own request id (the one the handler saw); moto would replace it.
_KEEP_REQUEST_ID = "x-localcloud-request-id"
_async_invokes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda-event")
_runtime_getter: Callable[[], LambdaRuntime] | None = None


def _log_async_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.warning("Asynchronous invoke failed before the function ran: %s", error)


def _validated_payload(body: str | bytes | None) -> bytes:
    raw = body.encode() if isinstance(body, str) else (body or b"")
    if not raw.strip():
        return b"{}"
    try:
        json.loads(raw)
    except ValueError as exc:
        raise InvalidRequestContentException(f"Could not parse request body into json: {exc}") from None
    return raw


def _invoke(
    self: Any, body: str | bytes | None, request_headers: Any, response_headers: dict[str, str]
) -> bytes:
    """Replacement for LambdaFunction.invoke: RequestResponse, Event and DryRun as Lambda treats them."""
    if _runtime_getter is None:  # patched, but the local cloud's runtime was never started: fail, not Docker
        raise InvalidRuntimeException("The local cloud's Lambda runtime is not running.")
    runtime = _runtime_getter()
    payload = _validated_payload(body)
    if self.package_type != "Zip":
        raise InvalidRuntimeException("Only Zip functions can be invoked by the local cloud.")
    spec = spec_from_moto(self)
    invocation_type = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event":
        _async_invokes.submit(runtime.invoke, spec, payload).add_done_callback(_log_async_failure)
        return b""
    try:
        result = runtime.invoke(spec, payload)
    except UnsupportedRuntime as exc:
        raise InvalidRuntimeException(str(exc)) from None
    except Throttled:
        raise TooManyRequestsException() from None
    response_headers["x-amz-executed-version"] = result.executed_version
    response_headers[_KEEP_REQUEST_ID] = result.request_id
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    return result.payload


def _retiring_delete(original: Any) -> Any:
    def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
        original(self, function_name, qualifier)
        # A name or an ARN (arn:aws:lambda:region:account:function:name[:qualifier]).
        name = function_name.split(":")[6] if function_name.startswith("arn:") else function_name
        if _runtime_getter is not None:
            _runtime_getter().retire(name)

    return delete_function


def _keep_request_id(original: Any) -> Any:
    def enrich(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        request_id = headers.pop(_KEEP_REQUEST_ID, None)
        headers, body = original(headers, body)
        if request_id:
            headers["x-amzn-requestid"] = request_id
        return headers, body

    return enrich


def install(runtime_getter: Callable[[], LambdaRuntime]) -> None:
    """Use `runtime_getter`'s runtime (later calls swap it); make sure this module's patches are applied."""
    global _runtime_getter
    _runtime_getter = runtime_getter
    registry.apply_all(origin=__name__)


register(
    __name__,
    Patch(LambdaFunction, "invoke", "Invoke runs the deployed zip in the local runtime", new=_invoke),
    Patch(LambdaBackend, "delete_function", "a deleted function's workers retire", wrap=_retiring_delete),
    Patch(
        BaseResponse,
        "_enrich_response",
        "Invoke answers with the request id the handler saw",
        wrap=_keep_request_id,
    ),
)
