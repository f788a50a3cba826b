"""`bluegreen switch`: make a color live through CloudFormation, verify it, roll back on failure."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app, print_json, switch_options, wants_json
from bluegreen.config import SwitchSettings
from bluegreen.context import AppContext
from bluegreen.errors import BlueGreenError
from bluegreen.preflight import HttpBehindDomainChecks
from bluegreen.states import Action, Outcome
from bluegreen.switch import Switcher, SwitchOptions


def build_switcher(app: AppContext) -> Switcher:
    """The context's switcher with the checks behind the domain: the preview smoke and the data gate."""
    return app.switcher().use_checks(HttpBehindDomainChecks(app.http))


def run_switch(
    switcher: Switcher, target: str | None, options: SwitchOptions, action: Action, as_json: bool
) -> None:
    """Runs the switch; with --json stdout gets the outcome even on failure (the error stays on stderr)."""
    try:
        result = switcher.switch(target, options, action=action)
    except BlueGreenError as exc:
        if as_json:
            record = switcher.record
            print_json(
                {
                    "action": str(action),
                    "to": target or (record.to_color if record else None),
                    "state": str(record.state) if record else str(Outcome.REFUSED),
                    "message": str(exc.message),
                    "record": record.to_dict() if record else None,
                }
            )
        raise
    if as_json:
        print_json(result.to_dict())


def build_options(
    settings: SwitchSettings,
    *,
    assume_yes: bool,
    dry_run: bool,
    consecutive: int | None,
    fail_after: int,
    verify_timeout: float,
    verify_interval: float | None,
    preflight_timeout: float,
    bake_seconds: float,
    bake_interval: float,
    lock_ttl: float,
) -> SwitchOptions:
    """The command line's options; verify's K and interval default to the config env's settings."""
    return SwitchOptions(
        consecutive=consecutive if consecutive is not None else settings.consecutive,
        fail_after=fail_after,
        verify_timeout=verify_timeout,
        verify_interval=verify_interval if verify_interval is not None else settings.verify_interval,
        preflight_timeout=preflight_timeout,
        bake_seconds=bake_seconds,
        bake_interval=bake_interval,
        dry_run=dry_run,
        assume_yes=assume_yes,
        lease_seconds=lock_ttl,
    )


@click.command()
@click.argument("color", type=click.Choice(["blue", "green"]))
@switch_options
@pass_app
def switch(app: AppContext, /, color: str, json_output: bool, **options: object) -> None:
    """Make COLOR live: lock, preflight (smoke on its own URL, then through the live hostname with the
    X-Bluegreen-Preview header, then the data gate between both releases), change set, verify on the live
    hostname (K passing smoke rounds), optional bake (live smoke + alarms).

    A preflight failure refuses the switch (nothing flipped). Any failure after the change rolls back to
    the previous color automatically (exit 1). The preview is cleared at the end, whatever the outcome.
    """
    as_json = wants_json(app, json_output)
    opts = build_options(app.project.switch_settings(), **options)  # type: ignore[arg-type]
    run_switch(build_switcher(app), color, opts, Action.SWITCH, as_json)
