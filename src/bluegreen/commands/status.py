"""`bluegreen status`: what is live according to the real mapping, drift, per-color health, last switch."""

from __future__ import annotations

from typing import Any

import click

from bluegreen import COLORS
from bluegreen.commands import json_option, pass_app, print_json, table, wants_json
from bluegreen.context import AppContext
from bluegreen.errors import Unhealthy
from bluegreen.history import Record


def describe_in_flight(app: AppContext, started: list[Record]) -> list[str]:
    """A STARTED record is running if it holds the unexpired lock, otherwise it was interrupted."""
    if not started:
        return []
    lock = app.lock()
    info = lock.peek()
    notes = []
    for record in started:
        running = lock.is_active(info) and info is not None and info.record_id == record.record_id
        word = "running" if running else "interrupted"
        notes.append(
            f"{word} {record.action} {record.route} by {record.who} at phase {record.phase or 'start'} "
            f"(started {record.started_at})"
        )
    return notes


@click.command()
@json_option
@pass_app
def status(app: AppContext, json_output: bool) -> None:
    """Show the live color (from the actual base-path mapping), drift, and each color's health."""
    as_json = wants_json(app, json_output)
    live = app.live.read()
    live_health = app.prober.health(live.url)
    problems: list[str] = []
    if live.drifted:
        problems.append(
            f"drift: mapping serves {live.api_id or 'nothing'}/{live.stage or '-'} but the "
            f"custom-domain stack says {live.param_api_id}/{live.param_stage}"
        )
    if live.color is None:
        problems.append(f"the live mapping ({live.api_id or 'none'}) is neither color's API")
    if not (live.color and live_health.serves(live.color)):
        problems.append(
            f"live {live.url} is unhealthy: {live_health.error or f'served by {live_health.environment}'}"
        )

    colors: list[dict[str, Any]] = []
    for color in COLORS:
        stack = app.colors.describe(color)
        health = app.prober.health(stack.endpoint) if stack.endpoint else None
        healthy = bool(health and health.serves(color))
        if stack.exists and not healthy:
            problems.append(
                f"{color} is unhealthy: {stack.problem() or (health.error if health else 'no endpoint')}"
            )
        colors.append(
            {
                **stack.to_dict(),
                "live": color == live.color,
                "healthy": healthy,
                "health_status": health.status if health else None,
            }
        )

    # A refused attempt changed nothing; the last switch is the last one that ran.
    last = next(
        (r for r in app.history.recent(50) if r.action in ("switch", "rollback") and r.state != "REFUSED"),
        None,
    )
    in_flight = describe_in_flight(app, app.history.started())
    problems += in_flight

    if as_json:
        print_json(
            {
                "live": {
                    **live.to_dict(),
                    "healthy": live.color is not None and live_health.serves(live.color),
                },
                "colors": colors,
                "last_switch": last.to_dict() if last else None,
                "in_flight": in_flight,
                "problems": problems,
                "ok": not problems,
            }
        )
    else:
        click.echo(f"domain   {live.url}")
        click.echo(
            f"live     {live.color or '?'}  (mapping {live.api_id or '-'}/{live.stage or '-'}, "
            f"stack {live.stack_status}, {'DRIFTED' if live.drifted else 'in sync'})"
        )
        click.echo("")
        rows = [
            [
                c["color"] + (" *" if c["live"] else ""),
                c["status"],
                c["version"] or "-",
                "healthy" if c["healthy"] else ("-" if c["status"] == "MISSING" else "UNHEALTHY"),
                c["endpoint"] or "-",
            ]
            for c in colors
        ]
        click.echo(table(rows, ["color", "stack", "version", "health", "endpoint"]))
        click.echo("")
        if last:
            click.echo(f"last     {last.action} {last.route} {last.state} at {last.started_at} by {last.who}")
        for line in problems:
            click.echo(f"PROBLEM  {line}")
    if problems:
        raise Unhealthy(f"{len(problems)} problem(s): {problems[0]}")
