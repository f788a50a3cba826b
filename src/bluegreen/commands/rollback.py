"""`bluegreen rollback`: undo the last traffic move (an interrupted one included)."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app, switch_options, wants_json
from bluegreen.commands.switch import build_options, run_switch
from bluegreen.context import AppContext
from bluegreen.states import Action


@click.command()
@switch_options
@pass_app
def rollback(app: AppContext, /, json_output: bool, **options: object) -> None:
    """Switch back to the color live before the last switch (after a killed switch: the color it left).

    The target is chosen under the lock, after a dead run's lock is taken over and its record recovered.
    Only the target is preflighted, so this works while the current live color is unhealthy.
    """
    as_json = wants_json(app, json_output)
    opts = build_options(app.project.switch_settings(), **options)  # type: ignore[arg-type]
    run_switch(app.switcher(), None, opts, Action.ROLLBACK, as_json)
