"""One module per command; shared click decorators live here."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import click

from bluegreen.context import AppContext
from bluegreen.output import paint

pass_app = click.make_pass_decorator(AppContext)


def json_option[F: Callable[..., Any]](fn: F) -> F:
    """`--json` on a reporting command; the group-level `--json` has the same effect."""
    return click.option("--json", "json_output", is_flag=True, help="Print one JSON document on stdout.")(fn)


def wants_json(app: AppContext, json_output: bool) -> bool:
    if json_output:
        app.json_output = True  # progress lines move to stderr
    return app.json_output


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def table(rows: list[list[str]], headers: list[str], colour: bool = False) -> str:
    """Columns padded to their widest visible cell; verdict words coloured when `colour`."""
    widths = [max(visible_len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(
            paint(str(c), colour) + " " * (w - visible_len(str(c))) for c, w in zip(row, widths, strict=True)
        )
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def visible_len(text: str) -> int:
    return len(click.unstyle(text))


class FiniteFloat(click.ParamType):
    """A float that is a real number within [low, high]: nan, inf and 1e308 are refused (exit 2)."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low = low
        self.high = high

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value!r} is not a finite number from {self.low:g} to {self.high:g}", param, ctx)
        return number


def switch_options[F: Callable[..., Any]](fn: F) -> F:
    """Options shared by switch and rollback."""
    decorators = [
        click.option("--yes", "-y", "assume_yes", is_flag=True, help="Skip the confirmation prompt."),
        click.option("--dry-run", is_flag=True, help="Show the change set, delete it and stop."),
        click.option(
            "--consecutive",
            default=None,
            type=click.IntRange(1, 100),
            help="Consecutive passing smoke rounds on the live hostname that verify the target "
            "[default: samconfig's bluegreen table, else 3].",
        ),
        click.option(
            "--fail-after",
            default=3,
            show_default=True,
            type=click.IntRange(1, 100),
            help="Consecutive failed live rounds from the target that fail the switch at once.",
        ),
        click.option(
            "--verify-timeout",
            default=120.0,
            show_default=True,
            type=FiniteFloat(1, 3600),
            help="Seconds to wait for verification.",
        ),
        click.option(
            "--verify-interval",
            default=None,
            type=FiniteFloat(0, 60),
            help="Seconds between live smoke rounds, at most --verify-timeout "
            "[default: samconfig's bluegreen table, else 2].",
        ),
        click.option(
            "--preflight-timeout",
            default=60.0,
            show_default=True,
            type=FiniteFloat(1, 900),
            help="Seconds a cold target may take to answer its smoke suite (timeouts are retried).",
        ),
        click.option(
            "--bake",
            "bake_seconds",
            default=0.0,
            show_default=True,
            type=FiniteFloat(0, 86400),
            help="After verification, repeat the live smoke and watch the alarms this many seconds.",
        ),
        click.option(
            "--bake-interval",
            default=5.0,
            show_default=True,
            type=FiniteFloat(0.1, 3600),
            help="Seconds between bake rounds.",
        ),
        click.option(
            "--lock-ttl",
            default=60.0,
            show_default=True,
            type=FiniteFloat(10, 3600),
            help="Lease of the lock in seconds, renewed while the command runs.",
        ),
        json_option,
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn
