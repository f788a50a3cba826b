"""`bluegreen status`: what is live according to the real mapping, drift, per-color health, last switch."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from bluegreen import COLORS
from bluegreen.commands import json_option, pass_app, print_json, table, wants_json
from bluegreen.context import AppContext
from bluegreen.errors import Unhealthy
from bluegreen.history import Record
from bluegreen.live import LiveState
from bluegreen.output import VERDICT_COLORS, caller_name, colour_enabled, paint
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
    problems = (
        [f"stale lock held by {caller_name(info.holder)}: {stale}; the next command takes it over"]
        if stale
        else []
    )
    return data, problems


def describe_in_flight(started: list[Record], lock: dict[str, Any] | None) -> list[str]:
    """A STARTED record is running if it holds a live lock, otherwise it was interrupted."""
    notes = []
    for record in started:
        running = lock is not None and not lock["stale"] and lock["record_id"] == record.record_id
        if running:
            continue
        notes.append(
            f"interrupted {record.action} {record.route} by {caller_name(record.who)} "
            f"at phase {record.phase or 'start'} (started {record.started_at}); the next command recovers it"
        )
    return notes


def running_now(started: list[Record], lock: dict[str, Any] | None) -> list[str]:
    return [
        f"running: {r.action} {r.route} by {caller_name(r.who)}, phase {r.phase or 'start'} "
        f"(started {r.started_at})"
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
    recent = app.history.recent(50)
    last = next((r for r in recent if r.action in TRAFFIC_ACTIONS and r.state != Outcome.REFUSED), None)
    lock, lock_problems = describe_lock(app)
    started = app.history.started()
    in_flight = running_now(started, lock)
    problems += lock_problems + describe_in_flight(started, lock)
    since = live_since(recent, live.color)
    idle = idle_summary(live.color, colors, last)
    preview = preview_color(app)

    if as_json:
        print_json(
            {
                "live": {
                    **live.to_dict(),
                    "healthy": live.color is not None and live_health.serves(live.color),
                    "since": since.finished_at or since.started_at if since else None,
                },
                "idle": idle,
                "preview": preview,
                "colors": colors,
                "last_switch": last.to_dict() if last else None,
                "in_flight": in_flight,
                "lock": lock,
                "problems": problems,
                "ok": not problems,
            }
        )
    else:
        print_status(live, since, idle, preview, colors, lock, in_flight, last, problems)
    if problems:
        raise Unhealthy(f"{len(problems)} problem(s): {problems[0]}")


def live_since(recent: list[Record], color: str | None) -> Record | None:
    """The switch or rollback that made `color` live, if the history still holds it."""
    for record in recent:
        if record.action in TRAFFIC_ACTIONS and record.state == Outcome.SUCCEEDED:
            return record if record.to_color == color else None
    return None


def idle_summary(
    live: str | None, colors: list[dict[str, Any]], last: Record | None
) -> dict[str, Any] | None:
    """The idle color and what it is for: the rollback target, a candidate release, or not deployed."""
    idle = next((c for c in colors if not c["live"]), None) if live else None
    if idle is None:
        return None
    if idle["status"] == "MISSING":
        label = "not deployed"
    elif not idle["healthy"]:
        label = "unhealthy: fix or redeploy before switching"
    elif last is not None and last.from_color == idle["color"] and idle["version"] == last.from_version:
        label = "rollback target (live before the last switch)"
    else:
        label = "candidate: ready to switch to"
    return {"color": idle["color"], "version": idle["version"], "label": label}


def preview_color(app: AppContext) -> str | None:
    """The custom-domain stack's PreviewColor parameter: the color reachable with the preview header."""
    stack = app.aws.describe_stack(app.project.deploy_config("custom-domain").stack_name)
    return (stack.parameters.get("PreviewColor") or None) if stack else None


def alarm_cell(alarms: dict[str, str], enabled: bool) -> str:
    """ALARM names spelled out (they matter), other states counted."""
    if not alarms:
        return "-"
    firing = sorted(name for name, state in alarms.items() if state == "ALARM")
    counts = Counter(state for state in alarms.values() if state != "ALARM")
    parts = [paint(f"ALARM {name}", enabled, "red") for name in firing]
    parts += [
        paint(f"{count} {state}", enabled, VERDICT_COLORS.get(state))
        for state, count in sorted(counts.items())
    ]
    return ", ".join(parts)


def describe_lock_line(lock: dict[str, Any] | None, enabled: bool) -> str:
    if lock is None:
        return paint("free", enabled)
    lease = (
        f"expires in {lock['expires_in_seconds']:.0f}s"
        if lock["expires_in_seconds"] >= 0
        else f"lapsed {-lock['expires_in_seconds']:.0f}s ago"
    )
    state = paint("STALE" if lock["stale"] else "held", enabled)
    return (
        f"{state}: `{lock['command']}` by {caller_name(lock['who'])} on {lock['host']} pid {lock['pid']}, "
        f"age {lock['age_seconds']:.0f}s, lease {lease}"
    )


def print_status(
    live: LiveState,
    since: Record | None,
    idle: dict[str, Any] | None,
    preview: str | None,
    colors: list[dict[str, Any]],
    lock: dict[str, Any] | None,
    in_flight: list[str],
    last: Record | None,
    problems: list[str],
) -> None:
    on = colour_enabled()
    live_color = paint(live.color or "?", on, bold=True)
    version = next((c["version"] for c in colors if c["color"] == live.color), "") or "?"
    when = f"since {since.finished_at or since.started_at}" if since else "since: not in the history"
    sync = paint("DRIFTED", on, "red") if live.drifted else "in sync"
    lines = [
        ("domain", live.url),
        (
            "live",
            f"{live_color} {version}, {when}  (mapping {live.api_id or '-'}/{live.stage or '-'}, {sync})",
        ),
        ("idle", f"{paint(idle['color'], on)} {idle['version'] or '-'}: {idle['label']}" if idle else "-"),
        ("preview", f"{paint(preview, on)} (header X-Bluegreen-Preview: {preview})" if preview else "none"),
        ("lock", describe_lock_line(lock, on)),
    ]
    if last:
        reason = f": {last.reason}" if last.reason else ""
        lines.append(
            (
                "last",
                f"{last.action} {last.route} {paint(str(last.state), on)} "
                f"at {last.finished_at or last.started_at} by {caller_name(last.who)}{reason}",
            )
        )
    for label, value in lines:
        click.echo(f"{label:<8} {value}", color=on)
    click.echo("")
    rows = [
        [
            c["color"],
            "live" if c["live"] else "idle",
            c["status"],
            c["version"] or "-",
            "healthy" if c["healthy"] else ("-" if c["status"] == "MISSING" else "UNHEALTHY"),
            alarm_cell(c["alarms"], on),
            c["endpoint"] or "-",
        ]
        for c in colors
    ]
    click.echo(
        table(rows, ["color", "role", "stack", "version", "health", "alarms", "endpoint"], colour=on),
        color=on,
    )
    for line in in_flight:
        click.echo(line)
    for line in problems:
        click.echo(f"{paint('PROBLEM', on, 'red')}  {line}", color=on)
