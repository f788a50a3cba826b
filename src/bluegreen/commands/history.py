"""`bluegreen history`: switch records, newest first."""

from __future__ import annotations

import click

from bluegreen.commands import json_option, pass_app, print_json, table, wants_json
from bluegreen.context import AppContext


@click.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many records.")
@json_option
@pass_app
def history(app: AppContext, limit: int, json_output: bool) -> None:
    """List switches, rollbacks and decommissions, newest first."""
    records = app.history.recent(limit)
    if wants_json(app, json_output):
        print_json([record.to_dict() for record in records])
        return
    if not records:
        click.echo("no history yet")
        return
    rows = []
    for r in records:
        phases = " ".join(f"{name}={seconds:.1f}s" for name, seconds in r.durations.items())
        versions = f"{r.from_version or '?'}->{r.to_version or '?'}"
        rows.append(
            [r.started_at, r.who.rsplit("/", 1)[-1], r.action, r.route, versions, r.state, phases, r.reason]
        )
    click.echo(table(rows, ["time", "who", "action", "colors", "versions", "result", "phases", "reason"]))
