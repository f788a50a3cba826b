"""Output for people: colour only on a terminal (and never with NO_COLOR), short caller names, widths."""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click

# Words that carry a verdict get a colour; everything else stays plain.
VERDICT_COLORS = {
    "healthy": "green",
    "SUCCEEDED": "green",
    "OK": "green",
    "free": "green",
    "UNHEALTHY": "red",
    "ALARM": "red",
    "FAILED": "red",
    "ROLLED_BACK": "yellow",
    "REFUSED": "yellow",
    "CANCELLED": "yellow",
    "INTERRUPTED": "red",
    "STALE": "red",
    "held": "yellow",
    "INSUFFICIENT_DATA": "yellow",
    "blue": "blue",
    "green": "green",
}


def colour_enabled(stream: TextIO | None = None) -> bool:
    """ANSI colour only on a terminal, and never when NO_COLOR is set to anything (no-color.org)."""
    stream = stream or sys.stdout
    if "NO_COLOR" in os.environ and os.environ["NO_COLOR"] != "":
        return False
    return os.environ.get("TERM") != "dumb" and stream.isatty()


def paint(text: str, enabled: bool, colour: str | None = None, bold: bool = False) -> str:
    """`text` styled when enabled; the colour defaults to the verdict colour of the text itself."""
    colour = colour or VERDICT_COLORS.get(text)
    if not enabled or (colour is None and not bold):
        return text
    return click.style(text, fg=colour, bold=bold or None)


def caller_name(arn: str) -> str:
    """One short caller format everywhere: user/moto -> moto, assumed-role/Deploy/alice -> Deploy/alice."""
    if not arn.startswith("arn:"):
        return arn
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind == "root" or not rest:
        return kind
    if kind == "assumed-role":
        return rest
    return rest.rsplit("/", 1)[-1]


def clip(text: str, width: int) -> str:
    """At most `width` characters, an ellipsis marking a cut."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
