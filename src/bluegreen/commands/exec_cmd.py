"""`bluegreen exec -- CMD...`: runs a command (`sam delete`, `aws`) under the checked environment."""

from __future__ import annotations

import os

import click

from bluegreen.errors import UsageError


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True)
def exec_command(argv: tuple[str, ...]) -> None:
    """Run ARGV with the environment bluegreen checked (the local env's endpoints, loaded if needed)."""
    try:
        os.execvp(argv[0], list(argv))
    except OSError as exc:
        raise UsageError(f"cannot run {argv[0]!r}: {exc.strerror}") from None
