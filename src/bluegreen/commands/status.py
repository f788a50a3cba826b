"""`bluegreen status`: what is live according to the real mapping, drift, per-color health, last switch."""

from __future__ import annotations

from typing import Any

import click

from bluegreen import COLORS
from bluegreen.commands import json_option, pass_app, print_json, table, wants_json
from bluegreen.context import AppContext
from bluegreen.errors import Unhealthy
from bluegreen.history import Record
from bluegreen.states import TRAFFIC_ACTIONS, Outcome


def describe_lock(app: AppContext) -> tuple[dict[str, Any] | None, list[str]]:
    """The lock as an operator needs it: holder, age, expiry, stale or not; problems if stale."""
    lease = app.lease()
    info = lease.peek()
    if info is None:
        return None, []
    now = app.clock()
    stale = lease.staleness(info)
    data = {
        **info.to_dict(),
        "age_seconds": round(now - info.acquired_at, 1),
        "expires_in_seconds": round(info.expires_at - now, 1),
        "stale": stale is not None,
        "stale_because": stale,
    }
    problems = [f"stale lock held by {info.holder}: {stale}; the next command takes it over"] if stale else []
    return data, problems


def describe_in_flight(started: list[Record], lock: dict[str, Any] | None) -> list[str]:
    """A STARTED record is running if it holds a live lock, otherwise it was interrupted."""
    notes = []
    for record in started:
        running = lock is not None and not lock["stale"] and lock["record_id"] == record.record_id
        if running:
            continue
        notes.append(
            f"interrupted {record.action} {record.route} by {record.who} at phase {record.phase or 'start'} "
            f"(started {record.started_at}); the next command recovers it"
        )
    return notes


def running_now(started: list[Record], lock: dict[str, Any] | None) -> list[str]:
    return [
        f"running: {r.action} {r.route} by {r.who}, phase {r.phase or 'start'} (started {r.started_at})"
        for r in started
        if lock is not None and not lock["stale"] and lock["record_id"] == r.record_id
    ]


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
        alarms = app.aws.alarm_states(stack.alarm_names) if stack.alarm_names else {}
        firing = sorted(name for name, state in alarms.items() if state == "ALARM")
        if firing and color == live.color:
            problems.append(f"live {color} has alarm(s) in ALARM: {', '.join(firing)}")
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
                "alarms": alarms,
            }
        )

    # A refused attempt changed nothing; the last switch is the last one that ran.
    last = next(
        (r for r in app.history.recent(50) if r.action in TRAFFIC_ACTIONS and r.state != Outcome.REFUSED),
        None,
    )
    lock, lock_problems = describe_lock(app)
    started = app.history.started()
    in_flight = running_now(started, lock)
    problems += lock_problems + describe_in_flight(started, lock)

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
                "lock": lock,
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
                " ".join(f"{name}={state}" for name, state in sorted(c["alarms"].items())) or "-",
                c["endpoint"] or "-",
            ]
            for c in colors
        ]
        click.echo(table(rows, ["color", "stack", "version", "health", "alarms", "endpoint"]))
        click.echo("")
        if lock is None:
            click.echo("lock     free")
        else:
            click.echo(
                f"lock     {'STALE' if lock['stale'] else 'held'}: `{lock['command']}` by {lock['who']} on "
                f"{lock['host']} pid {lock['pid']}, age {lock['age_seconds']:.0f}s, lease "
                + (
                    f"expires in {lock['expires_in_seconds']:.0f}s"
                    if lock["expires_in_seconds"] >= 0
                    else f"lapsed {-lock['expires_in_seconds']:.0f}s ago"
                )
            )
        for line in in_flight:
            click.echo(line)
        if last:
            click.echo(f"last     {last.action} {last.route} {last.state} at {last.started_at} by {last.who}")
        for line in problems:
            click.echo(f"PROBLEM  {line}")
    if problems:
        raise Unhealthy(f"{len(problems)} problem(s): {problems[0]}")
