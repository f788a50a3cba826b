"""`bluegreen history`: switch records, newest first; 100 columns unless --wide."""

from __future__ import annotations

import click

from bluegreen.commands import json_option, pass_app, print_json, table, visible_len, wants_json
from bluegreen.context import AppContext
from bluegreen.history import Record
from bluegreen.output import caller_name, clip, colour_enabled

NARROW = 100
WHO_WIDTH = 14


def short_time(iso_time: str) -> str:
    """2026-12-01T00:10:05.123Z -> 12-01 00:10:05: the year and milliseconds rarely matter at a glance."""
    return iso_time[5:19].replace("T", " ") if len(iso_time) >= 19 else iso_time


def took(record: Record) -> str:
    total = sum(record.durations.values())
    return f"{total:.1f}s" if record.durations else "-"


def narrow_table(records: list[Record], colour: bool) -> str:
    headers = ["time", "who", "action", "colors", "versions", "result", "took"]
    rows = [
        [
            short_time(r.started_at),
            clip(caller_name(r.who), WHO_WIDTH),
            r.action,
            r.route,
            f"{r.from_version or '?'}->{r.to_version or '?'}",
            str(r.state),
            took(r),
        ]
        for r in records
    ]
    used = max(visible_len(line) for line in table(rows, headers).splitlines())
    room = NARROW - used - 2
    if room >= 10:  # the reason gets what is left of the line
        headers.append("reason")
        for row, record in zip(rows, records, strict=True):
            row.append(clip(record.reason, room))
    return table(rows, headers, colour=colour)


def wide_table(records: list[Record], colour: bool) -> str:
    rows = []
    for r in records:
        phases = " ".join(f"{name}={seconds:.1f}s" for name, seconds in r.durations.items())
        versions = f"{r.from_version or '?'}->{r.to_version or '?'}"
        rows.append(
            [r.started_at, caller_name(r.who), r.action, r.route, versions, str(r.state), phases, r.reason]
        )
    headers = ["time", "who", "action", "colors", "versions", "result", "phases", "reason"]
    return table(rows, headers, colour=colour)


@click.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many records.")
@click.option(
    "--wide", is_flag=True, help="Every column in full (phase durations, whole reasons, full times)."
)
@json_option
@pass_app
def history(app: AppContext, limit: int, wide: bool, json_output: bool) -> None:
    """List switches, rollbacks and decommissions, newest first (fits 100 columns; --wide for all)."""
    records = app.history.recent(limit)
    if wants_json(app, json_output):
        print_json([record.to_dict() for record in records])
        return
    if not records:
        click.echo("no history yet")
        return
    on = colour_enabled()
    click.echo(wide_table(records, on) if wide else narrow_table(records, on), color=on)
