"""Human durations for options such as --grace: 3600, 90s, 30m, 1h, 2d."""

from __future__ import annotations

import re

import click

UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(text: str) -> float:
    match = PATTERN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 30m, 1h or 3600")
    return float(match.group(1)) * UNITS[match.group(2)]


class DurationType(click.ParamType):
    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, int | float):
            return float(value)
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
