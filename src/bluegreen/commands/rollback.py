"""`bluegreen rollback`: switch back to the color that was live before the last successful switch."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app, switch_options, wants_json
from bluegreen.commands.switch import build_options, run_switch
from bluegreen.context import AppContext


@click.command()
@switch_options
@pass_app
def rollback(app: AppContext, /, json_output: bool, **options: object) -> None:
    """Switch back to the previously live color (from history; else the other color).

    Only the target is preflighted, so this works while the current live color is unhealthy.
    """
    as_json = wants_json(app, json_output)
    switcher = app.switcher()
    target = switcher.rollback_target(app.live.read())
    app.say(f"rollback target: {target}")
    run_switch(switcher, target, build_options(**options), "rollback", as_json)  # type: ignore[arg-type]
