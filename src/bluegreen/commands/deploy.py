"""`bluegreen deploy blue|green|domain`: sam build + sam deploy with the unit's samconfig."""

from __future__ import annotations

import click

from bluegreen.commands import pass_app
from bluegreen.context import AppContext
from bluegreen.domain_params import domain_parameters
from bluegreen.errors import OperationFailed, UsageError


def live_color_or_none(app: AppContext) -> str | None:
    """The live color by the actual mapping; None before the custom-domain stack exists."""
    domain_config = app.project.deploy_config("custom-domain")
    if app.aws.describe_stack(domain_config.stack_name) is None:
        return None
    return app.live.read().color


@click.command()
@click.argument("target", type=click.Choice(["blue", "green", "domain"]))
@click.option(
    "--color",
    type=click.Choice(["blue", "green"]),
    default=None,
    help="deploy domain only: the color to point at (default: keep the live one, else blue).",
)
@click.option(
    "--force", is_flag=True, help="Allow deploying into the LIVE color (or re-pointing the domain)."
)
@pass_app
def deploy(app: AppContext, target: str, color: str | None, force: bool) -> None:
    """Build and deploy a color stack, or the custom-domain stack (deploy domain [--color C])."""
    sam = app.sam()
    if target == "domain":
        live = live_color_or_none(app)
        active = color or live or "blue"
        if live is not None and active != live and not force:
            # A deploy would move traffic without the lock, preflight, verification or rollback.
            raise OperationFailed(
                f"{live} is live: use `bluegreen switch {active}` to move traffic, or --force"
            )
        config = app.project.deploy_config("custom-domain")
        params = domain_parameters(config.parameter_overrides, app.colors.describe(active), app.aws)
        app.say(
            f"deploying {config.stack_name}: {params['CustomDomainName']} -> {active} "
            f"({params['ActiveApiId']}/{params['ActiveApiStage']})"
        )
        changed = sam.deploy(config, config.template_file, params)
    else:
        if color is not None:
            raise UsageError("--color applies to deploy domain only")
        live = live_color_or_none(app)
        if live == target and not force:
            raise OperationFailed(f"{target} is LIVE: deploy into the idle color and switch, or pass --force")
        config = app.project.deploy_config(target)
        template = sam.build(config)
        changed = sam.deploy(config, template)
    app.say(f"{config.stack_name}: " + ("deployed" if changed else "nothing to change, already up to date"))
