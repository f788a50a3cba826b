"""`bluegreen deploy blue|green|domain|data`: sam build + sam deploy with the unit's samconfig.

Colors and the domain deploy under the lock: a deploy never races a switch, and a color is re-checked
under the lock not to be live before SAM touches it.

A color's build is reused while its template, sources and requirements are unchanged; a color or the data
stack skips `sam deploy` while the stack is exactly as this checkout's last deploy of the same build and
settings left it (see deploy_records). --no-cache runs SAM in full.
"""

from __future__ import annotations

from pathlib import Path

import click

from bluegreen.commands import pass_app
from bluegreen.config import DeployConfig
from bluegreen.context import AppContext
from bluegreen.deploy_records import (
    DeployRecord,
    build_inputs_digest,
    content_digest,
    settings_digest,
    workspace,
)
from bluegreen.domain_params import domain_parameters
from bluegreen.errors import OperationFailed, UsageError
from bluegreen.states import Action, Phase


def live_color_or_none(app: AppContext) -> str | None:
    """The live color by the actual mapping; None before the custom-domain stack exists."""
    if not app.domain_exists():
        return None
    return app.live.read().color


def refuse_live_color(app: AppContext, target: str, force: bool) -> None:
    if live_color_or_none(app) == target and not force:
        raise OperationFailed(f"{target} is LIVE: deploy into the idle color and switch, or pass --force")


@click.command()
@click.argument("target", type=click.Choice(["blue", "green", "domain", "data"]))
@click.option(
    "--color",
    type=click.Choice(["blue", "green"]),
    default=None,
    help="deploy domain only: the color to point at (default: keep the live one, else blue).",
)
@click.option(
    "--force", is_flag=True, help="Allow deploying into the LIVE color (or re-pointing the domain)."
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run sam build and sam deploy even when the records say nothing changed since the last ones.",
)
@pass_app
def deploy(app: AppContext, target: str, color: str | None, force: bool, no_cache: bool) -> None:
    """Deploy the data stack (first, once), a color stack, or the custom-domain stack (domain [--color C])."""
    if color is not None and target != "domain":
        raise UsageError("--color applies to deploy domain only")
    if target == "data":
        deploy_data(app, reuse=not no_cache)
    elif target == "domain":
        deploy_domain(app, color, force)
    else:
        deploy_color(app, target, force, reuse=not no_cache)


def deployed_settings(config: DeployConfig, template: Path) -> str:
    """Everything `sam deploy` sends for this unit: the template with the code it names, and the samconfig."""
    return settings_digest(
        {
            "template": build_inputs_digest(template),
            "samconfig": content_digest([config.config_file]),
            "config_env": config.config_env,
        }
    )


def deploy_unless_unchanged(app: AppContext, config: DeployConfig, template: Path, reuse: bool) -> bool:
    """sam deploy, unless the stack is exactly as our last deploy of the same settings left it.
    Returns False when nothing changed."""
    record = DeployRecord(workspace(app.project.root, config.unit), config.config_env)
    settings = deployed_settings(config, template)
    if reuse:
        stack = app.aws.describe_stack(config.stack_name)
        latest = app.aws.latest_event_id(config.stack_name) if stack is not None else None
        if record.unchanged(settings, stack, latest):
            app.say(
                f"sam deploy {config.unit}: skipped, {config.stack_name} runs this build with these settings "
                "and has had no stack operation since (--no-cache to deploy anyway)"
            )
            return False
    record.forget()  # a deploy that fails half-way leaves no record that vouches for the stack
    changed = app.sam().deploy(config, template)
    stack = app.aws.describe_stack(config.stack_name)
    if stack is not None:
        record.save(settings, stack, app.aws.latest_event_id(config.stack_name))
    return changed


def deploy_data(app: AppContext, reuse: bool) -> None:
    """The data stack holds the lock table itself, so it deploys without the lock; it is never switched."""
    config = app.project.deploy_config("data")
    app.say(f"deploying {config.stack_name} (orders, idempotency, switch lock and history; tables retained)")
    changed = deploy_unless_unchanged(app, config, config.template_file, reuse)
    app.say(f"{config.stack_name}: " + ("deployed" if changed else "nothing to change, already up to date"))


def deploy_domain(app: AppContext, color: str | None, force: bool) -> None:
    config = app.project.deploy_config("custom-domain")
    with app.operations.locked(Action.DEPLOY, "deploy domain") as run:
        live = live_color_or_none(app)
        active = color or live or "blue"
        if live is not None and active != live and not force:
            # A deploy would move traffic without preflight, verification or rollback.
            raise OperationFailed(
                f"{live} is live: use `bluegreen switch {active}` to move traffic, or --force"
            )
        stack = app.colors.describe(active)
        # Preview* are left out on purpose: sam deploy gives every parameter it is not passed
        # UsePreviousValue, so a deploy keeps the preview as it is (`bluegreen preview none` clears it).
        params = domain_parameters(config.parameter_overrides, stack, app.aws)
        run.begin(from_color=live or "", to_color=active, to_version=stack.version, reason="deploy domain")
        app.say(
            f"deploying {config.stack_name}: {params['CustomDomainName']} -> {active} "
            f"({params['ActiveApiId']}/{params['ActiveApiStage']})"
        )
        with run.phase(Phase.DEPLOY):
            run.ensure_held()
            changed = app.sam().deploy(config, config.template_file, params)
    app.say(f"{config.stack_name}: " + ("deployed" if changed else "nothing to change, already up to date"))


def deploy_color(app: AppContext, target: str, force: bool, reuse: bool) -> None:
    refuse_live_color(app, target, force)  # refuse before a long build
    config = app.project.deploy_config(target)
    template = app.sam().build(config, reuse=reuse)  # a build changes nothing deployed: no lock needed
    with app.operations.locked(Action.DEPLOY, f"deploy {target}") as run:
        refuse_live_color(app, target, force)  # a switch may have made it live during the build
        run.begin(
            to_color=target, reason=f"deploy {target}" + (" into the LIVE color (--force)" if force else "")
        )
        with run.phase(Phase.DEPLOY):
            run.ensure_held()
            changed = deploy_unless_unchanged(app, config, template, reuse)
    app.say(f"{config.stack_name}: " + ("deployed" if changed else "nothing to change, already up to date"))
