"""The process environment Lambda gives a python3.13 function, minus real credentials."""

from __future__ import annotations

import datetime
import os
import secrets
import time
from pathlib import Path

from localcloud.lambda_runtime.sdk import sdk_directory
from localcloud.lambda_runtime.spec import FunctionSpec

# Set by Lambda itself; a function's own variables cannot override them.
_RESERVED = (
    "_HANDLER",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
)


def log_stream_name(version: str) -> str:
    day = datetime.datetime.now(datetime.UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{secrets.token_hex(16)}"


def trace_header() -> str:
    """An X-Ray trace header for one invoke; tracing is not sampled locally."""
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=0;Lineage=1:{secrets.token_hex(4)}:0"


def build_environment(
    spec: FunctionSpec, task_root: str, stream: str, endpoint_url: str | None
) -> dict[str, str]:
    env = {key: str(value) for key, value in spec.environment.items() if key not in _RESERVED}
    env.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "LAMBDA_TASK_ROOT": task_root,
            "LAMBDA_RUNTIME_DIR": task_root,
            # Placeholders in the shape Lambda's role credentials have; they open nothing.
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
        }
    )
    # The runtime's own packages (boto3) come after the task root; the worker reads PYTHONPATH itself
    # because it runs isolated (-I), as Lambda's PYTHONPATH names its runtime directory.
    sdk = sdk_directory(Path(task_root).parent.parent)  # beside <state-dir>/code, not inside it
    if sdk is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), str(sdk)]))
    if endpoint_url and "AWS_ENDPOINT_URL" not in spec.environment:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env
