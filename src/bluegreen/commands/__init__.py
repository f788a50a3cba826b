"""One module per command; shared click decorators live here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from bluegreen.context import AppContext

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


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def switch_options[F: Callable[..., Any]](fn: F) -> F:
    """Options shared by switch and rollback."""
    decorators = [
        click.option("--yes", "-y", "assume_yes", is_flag=True, help="Skip the confirmation prompt."),
        click.option("--dry-run", is_flag=True, help="Show the change set, delete it and stop."),
        click.option(
            "--consecutive",
            default=5,
            show_default=True,
            type=click.IntRange(min=1),
            help="Consecutive answers from the target color that prove convergence.",
        ),
        click.option(
            "--verify-timeout",
            default=120.0,
            show_default=True,
            type=click.FloatRange(min=1),
            help="Seconds to wait for convergence.",
        ),
        click.option(
            "--verify-interval",
            default=0.5,
            show_default=True,
            type=click.FloatRange(min=0),
            help="Seconds between convergence probes.",
        ),
        click.option(
            "--bake",
            "bake_seconds",
            default=0.0,
            show_default=True,
            type=click.FloatRange(min=0),
            help="After convergence, keep checking health and alarms this many seconds.",
        ),
        click.option(
            "--bake-interval",
            default=5.0,
            show_default=True,
            type=click.FloatRange(min=0.1),
            help="Seconds between bake checks.",
        ),
        click.option(
            "--lock-ttl",
            default=None,
            type=click.FloatRange(min=30),
            help="Lock expiry in seconds (renewed at each phase). Default: 900 + 2*verify + bake.",
        ),
        json_option,
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn
