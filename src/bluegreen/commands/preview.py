"""`bluegreen preview blue|green|none`: route the preview header on the live hostname to a color, or stop."""

from __future__ import annotations

import click

from bluegreen.commands import FiniteFloat, json_option, pass_app, print_json, wants_json
from bluegreen.context import AppContext
from bluegreen.errors import BlueGreenError
from bluegreen.preview import Previewer, PreviewOptions, http_answered_by


def build_previewer(app: AppContext) -> Previewer:
    return Previewer(
        colors=app.colors,
        live=app.live,
        updater=app.updater(),
        operations=app.operations,
        answered_by=http_answered_by(app.http),
        clock=app.clock,
        sleep=app.sleep,
        say=app.say,
        confirm=app.confirm,
        on_event=app.on_event,
    )


@click.command()
@click.argument("color", type=click.Choice(["blue", "green", "none"]))
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Skip the confirmation prompt.")
@click.option("--dry-run", is_flag=True, help="Show the change set, delete it and stop.")
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=FiniteFloat(1, 900),
    help="Seconds for the hostname to serve the new preview once the change is deployed.",
)
@click.option(
    "--lock-ttl",
    default=60.0,
    show_default=True,
    type=FiniteFloat(10, 3600),
    help="Lease of the lock in seconds, renewed while the command runs.",
)
@json_option
@pass_app
def preview(
    app: AppContext,
    /,
    color: str,
    assume_yes: bool,
    dry_run: bool,
    timeout: float,
    lock_ttl: float,
    json_output: bool,
) -> None:
    """Preview COLOR on the live hostname: requests with `X-Bluegreen-Preview: COLOR` go to it, everyone
    else stays on the live color. `none` removes the rule.

    Same path as a switch: a change set on the custom-domain stack that changes only PreviewColor,
    PreviewApiId and PreviewApiStage, under the lock, recorded in history. Previewing the live color is
    refused (exit 2): the header would reach what everyone already gets. `switch` sets and clears the
    preview itself; this command is for looking at the idle color by hand before that.
    """
    as_json = wants_json(app, json_output)
    options = PreviewOptions(dry_run=dry_run, assume_yes=assume_yes, timeout=timeout, lease_seconds=lock_ttl)
    previewer = build_previewer(app)
    try:
        result = previewer.preview(color, options)
    except BlueGreenError as exc:
        if as_json:
            print_json({"action": "preview", "to": color, "message": str(exc.message)})
        raise
    if as_json:
        print_json(result.to_dict())
