"""`bluegreen`: the operator CLI. `main()` turns the tool's errors into one line and an exit code."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from botocore.exceptions import BotoCoreError, ClientError  # light: no client machinery

from bluegreen.deferred_crt import defer_native_library
from bluegreen.errors import BlueGreenError, aws_error_hint
from bluegreen.local_env import ensure_local_process_env

if TYPE_CHECKING:
    from bluegreen.context import AppContext

# name -> (module, attribute, short help). A command's module is imported only when it runs: a switch never
# loads deploy's or status's code, and `--help` lists the commands without importing any (a test keeps the
# short help here equal to each command's own).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "decommission": ("bluegreen.commands.decommission", "decommission", "Delete COLOR's stack."),
    "deploy": ("bluegreen.commands.deploy", "deploy", "Deploy the data stack (first, once), a..."),
    "exec": ("bluegreen.commands.exec_cmd", "exec_command", "Run ARGV with the environment bluegreen..."),
    "history": ("bluegreen.commands.history", "history", "List switches, rollbacks and..."),
    "preview": ("bluegreen.commands.preview", "preview", "Preview COLOR on the live hostname:..."),
    "rollback": ("bluegreen.commands.rollback", "rollback", "Switch back to the color live before the..."),
    "smoke": ("bluegreen.commands.smoke", "smoke", "Run the smoke suite."),
    "status": ("bluegreen.commands.status", "status", "Show the live color (from the actual..."),
    "switch": ("bluegreen.commands.switch", "switch", "Make COLOR live: lock, preflight (smoke on..."),
    "unlock": ("bluegreen.commands.unlock", "unlock", "Break the lock held by another command..."),
}


class LazyGroup(click.Group):
    """Commands imported when invoked; `--help` lists their short help without importing them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
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
    if not callable(ctx.obj):
        from bluegreen.context import AppContext  # boto3 and requests: only once a command runs

        ctx.obj = AppContext
    ctx.obj = ctx.obj(project_dir, config_env, debug=debug, json_output=json_output)


# Optional packages botocore imports at start-up when installed (SAM CLI and moto bring them along) and that
# no command needs: pyOpenSSL, through which botocore takes the standard library's own SSLContext. Marked
# absent, botocore takes that SSLContext directly.
UNUSED_OPTIONAL_MODULES = ("urllib3.contrib.pyopenssl",)


def lighten_botocore_start() -> None:
    """Before botocore's first import: UNUSED_OPTIONAL_MODULES marked absent unless already imported, and the
    AWS CRT's native library loaded only if a command calls it (`aws login` credentials do: deferred_crt)."""
    for name in UNUSED_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: `import` raises ImportError
    defer_native_library()


def main(argv: list[str] | None = None, *, context_factory: Callable[..., AppContext] | None = None) -> None:
    lighten_botocore_start()
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


# A command is short, and most of what it allocates (modules, botocore's service models) lives to its end: at
# Python's default pace (a collection every 2,000 allocations) the collector rescanned it about 15 times per
# command, 40 ms of a switch's CPU.
ALLOCATIONS_BETWEEN_COLLECTIONS = 100_000


def run() -> None:
    """The `bluegreen` script and `python -m bluegreen`: main() as a process of its own."""
    gc.set_threshold(ALLOCATIONS_BETWEEN_COLLECTIONS, *gc.get_threshold()[1:])
    try:
        main()
    finally:
        # The interpreter's exit would collect, object by object, all that the run made (botocore's service
        # models among them): 60-170 ms once the command is done. Frozen objects are left to the OS.
        gc.freeze()
