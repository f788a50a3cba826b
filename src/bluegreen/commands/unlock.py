"""`bluegreen unlock --force --reason TEXT`: break the lock on purpose, on the record."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app
from bluegreen.context import AppContext
from bluegreen.errors import UsageError
from bluegreen.states import Action


@click.command()
@click.option("--force", is_flag=True, help="Required: this breaks another command's lock.")
@click.option("--reason", required=True, help="Why, for the history record.")
@pass_app
def unlock(app: AppContext, force: bool, reason: str) -> None:
    """Break the lock held by another command (its run is recorded INTERRUPTED and recovered).

    Rarely needed: a lock whose holder died is taken over by the next command on its own, at once on the
    same host and within one lease elsewhere.
    """
    if not force:
        raise UsageError("unlock breaks another command's lock: pass --force and --reason TEXT")
    if not reason.strip():
        raise UsageError("--reason must say why the lock is broken")
    held = app.lease().peek()
    if held is None:
        click.echo("no lock is held: nothing to do")
        return
    with app.operations.locked(Action.UNLOCK, "unlock", force_reason=reason) as run:
        run.begin(reason=f"broke the lock of {held.holder}: {reason}")
    click.echo(f"lock of {held.holder} broken and recorded: {reason}")
