"""One warm Lambda execution environment: imports the handler once, then serves invokes over a pipe.

Runs as a script under `python3.13 -I -S -u` so it sees only the standard library, the function's
bundle and the runtime's SDK (boto3, from PYTHONPATH), as Lambda's python3.13 runtime does.
Standard library only: the host imports the framing helpers from here too, so both ends share one
definition.

stdout/stderr are the function's log (Powertools logs to stdout); requests and results travel on two
dedicated pipe file descriptors as length-prefixed JSON frames.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import struct
import sys
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")


def write_frame(fd: int, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exact(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> dict[str, Any] | None:
    header = read_exact(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    body = read_exact(fd, size)
    if body is None:
        return None
    message: dict[str, Any] = json.loads(body)
    return message


class LambdaContext:
    """The context object of Lambda's Python runtime (awslambdaric), same attribute names and types."""

    def __init__(self, request_id: str, deadline_ms: int, invoked_function_arn: str) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name},"
            f"function_version={self.function_version},invoked_function_arn={self.invoked_function_arn}])"
        )


def _error(error_type: str, message: str, request_id: str, stack: list[str] | None = None) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }


def _exception_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    # Lambda drops the runtime's own frame: the trace starts in the function's code.
    frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
    return _error(type(exc).__name__, str(exc), request_id, frames)


def _log_error(payload: dict[str, Any]) -> None:
    lines = "".join(payload["stackTrace"])
    print(
        f"[ERROR] {payload['errorType']}: {payload['errorMessage']}\n"
        f"Traceback (most recent call last):\n{lines}",
        flush=True,
    )


def _load_handler(spec: str) -> tuple[Any, dict[str, Any] | None]:
    """Import `module.function` the way the runtime does; on failure the error Lambda reports."""
    module_path, _, function_name = spec.rpartition(".")
    if not module_path or not function_name:
        return None, _error(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
            "",
        )
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, _error(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}", ""
        )
    except SyntaxError as exc:
        return None, _error(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", ""
        )
    except Exception as exc:
        return None, _exception_payload(exc, "")
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, _error(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'", ""
        )
    return handler, None


def _max_memory_mb() -> int:
    # ru_maxrss would report the pre-exec peak of the forking host process; VmHWM is this process's own.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _serve(in_fd: int, out_fd: int) -> None:
    init_started = time.perf_counter()
    handler, init_error = _load_handler(os.environ["_HANDLER"])
    init_ms = (time.perf_counter() - init_started) * 1000
    first = True
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
    while (request := read_frame(in_fd)) is not None:
        request_id = request["requestId"]
        os.environ["_X_AMZN_TRACE_ID"] = request["traceId"]
        print(f"START RequestId: {request_id} Version: {version}", flush=True)
        started = time.perf_counter()
        if init_error is not None:
            _log_error(init_error)
            # The environment is unusable: report, then let the host start a fresh one next time.
            write_frame(
                out_fd, {"ok": False, "error": {**init_error, "requestId": request_id}, "fatal": True}
            )
            return
        context = LambdaContext(request_id, request["deadlineMs"], request["invokedFunctionArn"])
        result: dict[str, Any]
        try:
            output = handler(json.loads(request["event"]), context)
            try:
                result = {"ok": True, "payload": json.dumps(output)}
            except (TypeError, ValueError) as exc:
                error = _error("Runtime.MarshalError", f"Unable to marshal response: {exc}", request_id)
                _log_error(error)
                result = {"ok": False, "error": error}
        except Exception as exc:
            error = _exception_payload(exc, request_id)
            _log_error(error)
            result = {"ok": False, "error": error}
        duration = (time.perf_counter() - started) * 1000
        init_note = f"\tInit Duration: {init_ms:.2f} ms" if first else ""
        print(f"END RequestId: {request_id}", flush=True)
        print(
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms"
            f"\tBilled Duration: {int(duration) + 1} ms"
            f"\tMemory Size: {memory} MB\tMax Memory Used: {_max_memory_mb()} MB{init_note}",
            flush=True,
        )
        result.update({"pid": os.getpid(), "durationMs": duration, "initMs": init_ms if first else None})
        write_frame(out_fd, result)
        first = False


def main() -> None:
    task_root, in_fd, out_fd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # Ctrl-C goes to the whole terminal group; the host decides when an environment ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.argv = [sys.argv[0]]
    # Lambda puts the task root first; -I -S has already removed user and site packages. The runtime's
    # SDK (boto3), named by PYTHONPATH, comes after the standard library, as in Lambda's python3.13.
    sys.path.insert(0, task_root)
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        if entry and entry not in sys.path:
            sys.path.append(entry)
    os.chdir(task_root)
    _serve(in_fd, out_fd)


if __name__ == "__main__":
    main()
