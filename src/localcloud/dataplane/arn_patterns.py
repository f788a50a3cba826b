"""IAM-style ARN patterns: `*` matches any run of characters (slashes included), `?` one character.

Doc: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
"""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def arn_like(pattern: str, arn: str) -> bool:
    return _compiled(pattern).fullmatch(arn) is not None


def as_list(value: object) -> list[str]:
    """A policy element that may be one string or a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []
