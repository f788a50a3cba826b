"""`bluegreen`: the operator CLI. `main()` turns the tool's errors into one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click
from botocore.exceptions import BotoCoreError, ClientError

from bluegreen.commands.decommission import decommission
from bluegreen.commands.deploy import deploy
from bluegreen.commands.exec_cmd import exec_command
from bluegreen.commands.history import history
from bluegreen.commands.preview import preview
from bluegreen.commands.rollback import rollback
from bluegreen.commands.smoke import smoke
from bluegreen.commands.status import status
from bluegreen.commands.switch import switch
from bluegreen.commands.unlock import unlock
from bluegreen.context import AppContext
from bluegreen.errors import BlueGreenError, aws_error_hint
from bluegreen.local_env import ensure_local_process_env


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--config-env",
    envvar="BLUEGREEN_CONFIG_ENV",
    default="default",
    show_default=True,
    help="samconfig environment (env BLUEGREEN_CONFIG_ENV).",
)
@click.option(
    "--project-dir",
    envvar="BLUEGREEN_PROJECT_DIR",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository root holding samconfig/ and stacks/ (env BLUEGREEN_PROJECT_DIR).",
)
@click.option("--json", "json_output", is_flag=True, help="Commands that report print JSON on stdout.")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.pass_context
def cli(ctx: click.Context, config_env: str, project_dir: Path, json_output: bool, debug: bool) -> None:
    """Zero-downtime blue/green releases of the pet store API behind one custom domain.

    Exit codes: 0 ok, 1 the operation failed or found something unhealthy, 2 usage or configuration error.
    """
    # Before any client exists: a loopback-only config env never reaches an AWS hostname.
    note = ensure_local_process_env(config_env, project_dir)
    if note:
        click.echo(note, err=True)
    # Tests (and embedders) pass another factory through `main(context_factory=...)`.
    factory = ctx.obj if callable(ctx.obj) else AppContext
    ctx.obj = factory(project_dir, config_env, debug=debug, json_output=json_output)


for command in (
    status,
    deploy,
    smoke,
    preview,
    switch,
    rollback,
    history,
    decommission,
    unlock,
    exec_command,
):
    cli.add_command(command)


def main(argv: list[str] | None = None, *, context_factory: Callable[..., AppContext] = AppContext) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="bluegreen", standalone_mode=False, obj=context_factory)
    except click.exceptions.Abort:
        click.echo("bluegreen: aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        # One line, like every other error: what was wrong, and where to read more.
        command = exc.ctx.command_path if exc.ctx else "bluegreen"
        click.echo(f"bluegreen: usage error: {exc.format_message()} (see {command} --help)", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        if debug and isinstance(exc, BlueGreenError):
            raise
        exc.show()
        sys.exit(exc.exit_code)
    except (ClientError, BotoCoreError) as exc:
        if debug:
            raise
        hint = aws_error_hint(exc) if isinstance(exc, BotoCoreError) else ""
        click.echo(f"bluegreen: AWS error: {exc}" + (f"; {hint}" if hint else ""), err=True)
        sys.exit(1)
    sys.exit(0)
