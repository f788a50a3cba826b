"""`bluegreen decommission`: delete an idle color's stack, guarded by the real mapping and history."""

from __future__ import annotations

import click

from bluegreen import history as h
from bluegreen.commands import pass_app
from bluegreen.context import AppContext
from bluegreen.duration import DurationType
from bluegreen.errors import OperationFailed
from bluegreen.retire import grace_violation


@click.command()
@click.argument("color", type=click.Choice(["blue", "green"]))
@click.option(
    "--grace",
    default="1h",
    show_default=True,
    type=DurationType(),
    help="Refuse a color live within this window (90s, 30m, 1h...).",
)
@click.option("--force", is_flag=True, help="Ignore the grace window (never the live color).")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Skip the confirmation prompt.")
@pass_app
def decommission(app: AppContext, color: str, grace: float, force: bool, assume_yes: bool) -> None:
    """Delete COLOR's stack. Refuses the live color and any API still mapped on the domain."""
    stack = app.colors.describe(color)
    if not stack.exists:
        click.echo(f"{stack.stack_name} does not exist: nothing to do")
        return
    live = app.live.read()
    if live.color == color:
        raise OperationFailed(f"refusing to decommission {color}: it is live on {live.domain_name}")
    mapped = [m for m in app.aws.base_path_mappings(live.domain_name) if m.rest_api_id == stack.api_id]
    if stack.api_id and mapped:
        raise OperationFailed(
            f"refusing to decommission {color}: API {stack.api_id} is still mapped on "
            f"{live.domain_name} (base path {mapped[0].base_path})"
        )
    violation = grace_violation(color, app.history.recent(200), app.clock(), grace)
    if violation and not force:
        raise OperationFailed(f"refusing to decommission {color}: {violation}; use --force to override")
    if not assume_yes and not app.confirm(f"Delete stack {stack.stack_name} ({color} {stack.version})?"):
        raise OperationFailed("decommission cancelled at the prompt; nothing changed")

    lock = app.lock()
    lock.acquire("decommission", ttl=3600)
    try:
        record = app.history.append(
            app.history.new_record(
                app.who,
                "decommission",
                from_color=color,
                from_version=stack.version,
                reason=f"forced past grace: {violation}" if violation else "",
            )
        )
        started = app.clock()
        try:
            app.aws.delete_stack(stack.stack_name)
        except Exception as exc:
            record.durations = {"delete": round(app.clock() - started, 3)}
            app.history.finish(record, h.FAILED, f"{type(exc).__name__}: {exc}")
            raise
        record.durations = {"delete": round(app.clock() - started, 3)}
        app.history.finish(record, h.SUCCEEDED, record.reason)
    finally:
        lock.release()
    click.echo(f"deleted {stack.stack_name} in {app.clock() - started:.1f}s")
