"""The local Lambda runtime: moto's Invoke runs the deployed zip under python3.13 in warm workers."""

from __future__ import annotations

from pathlib import Path

from localcloud.lambda_runtime import moto_hook
from localcloud.lambda_runtime.runtime import CallerTimedOut, InvokeResult, LambdaRuntime, Throttled

__all__ = ["CallerTimedOut", "InvokeResult", "LambdaRuntime", "Throttled", "current", "install"]

_current: LambdaRuntime | None = None


def install(state_dir: Path, endpoint_url: str | None = None) -> LambdaRuntime:
    """Create the process-wide runtime and hook moto's Invoke to it. Idempotent per state dir."""
    global _current
    if _current is None or _current.state_dir != state_dir.resolve():
        if _current is not None:
            _current.shutdown()
        _current = LambdaRuntime(state_dir, endpoint_url)
    moto_hook.install(current)
    return _current


def current() -> LambdaRuntime:
    if _current is None:
        raise RuntimeError("localcloud.lambda_runtime.install() has not been called")
    return _current
