"""The interpreter a function's runtime maps to. Only python3.13 runs here: it is what the stacks use."""

from __future__ import annotations

import shutil
import sys

SUPPORTED_RUNTIME = "python3.13"


class UnsupportedRuntime(Exception):
    """The function asks for a runtime this machine cannot provide."""


def interpreter_for(runtime: str | None) -> str:
    if runtime != SUPPORTED_RUNTIME:
        raise UnsupportedRuntime(
            f"The runtime parameter of {runtime} is not supported by the local cloud: only "
            f"{SUPPORTED_RUNTIME} functions can be invoked."
        )
    if sys.version_info[:2] == (3, 13):
        return sys.executable
    found = shutil.which("python3.13")
    if found is None:
        raise UnsupportedRuntime("python3.13 is neither this interpreter nor on PATH.")
    return found
