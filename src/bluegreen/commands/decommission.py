"""`bluegreen decommission` (and `make delete-<color>`): delete an idle color's stack, under the lock,
guarded by the real mapping and the history."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app
from bluegreen.context import AppContext
from bluegreen.duration import DurationType
from bluegreen.errors import OperationFailed, option_hint
from bluegreen.retire import grace_violation
from bluegreen.stacks import ColorStack
from bluegreen.states import Action, Phase


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
    violation = refusal(app, color, stack, grace, force)  # at once, before the prompt
    if not assume_yes and not app.confirm(f"Delete stack {stack.stack_name} ({color} {stack.version})?"):
        raise OperationFailed("decommission cancelled at the prompt; nothing changed")
    with app.operations.locked(Action.DECOMMISSION, f"decommission {color}") as run:
        # Again under the lock: a switch may have made it live since.
        violation = refusal(app, color, app.colors.describe(color), grace, force)
        run.begin(
            from_color=color,
            from_version=stack.version,
            reason=f"forced past grace: {violation}" if violation else "",
        )
        with run.phase(Phase.DELETE):
            run.ensure_held()
            app.aws.delete_stack(stack.stack_name)
    click.echo(f"deleted {stack.stack_name} in {run.durations.get(str(Phase.DELETE), 0.0):.1f}s")


def refusal(app: AppContext, color: str, stack: ColorStack, grace: float, force: bool) -> str | None:
    """Raises when the color must not be deleted; returns the grace violation that --force overrides."""
    if app.domain_exists():
        live = app.live.read()
        if live.color == color:
            raise OperationFailed(
                f"refusing to delete {color}: it is live on {live.domain_name}; nothing touched"
            )
        mapped = [m for m in app.aws.base_path_mappings(live.domain_name) if m.rest_api_id == stack.api_id]
        if stack.api_id and mapped:
            raise OperationFailed(
                f"refusing to delete {color}: API {stack.api_id} is still mapped on "
                f"{live.domain_name} (base path {mapped[0].base_path}); nothing touched"
            )
    violation = grace_violation(color, app.history.recent(200), app.clock(), grace)
    if violation and not force:
        override = option_hint("--force", "FORCE=1")
        raise OperationFailed(f"refusing to delete {color}: {violation}; use {override} to override")
    return violation
