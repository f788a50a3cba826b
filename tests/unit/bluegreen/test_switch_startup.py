"""Command start-up: the CLI imports only the command it runs, and lists the others from their short help."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from bluegreen.cli import COMMANDS, cli


def fresh_interpreter_prints(probe: str) -> str:
    """What `probe` prints, run in a fresh interpreter (a module already imported here proves nothing)."""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_short_help_is_the_commands_own(name: str) -> None:
    module, attribute, short = COMMANDS[name]
    command: click.Command = getattr(importlib.import_module(module), attribute)
    assert command.name == name
    assert short == command.get_short_help_str(limit=45)


def test_help_and_an_unknown_command_import_no_aws_or_http_library() -> None:
    # GIVEN a fresh interpreter WHEN it prints the help THEN neither boto3 nor requests was imported
    probe = (
        "import sys\n"
        "from bluegreen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('boto3', 'botocore.session', 'requests') if m in sys.modules))\n"
    )
    printed = fresh_interpreter_prints(probe)
    assert "switch" in printed and printed.endswith("[]")


def test_every_command_is_reachable() -> None:
    context = click.Context(cli)
    assert all(cli.get_command(context, name) is not None for name in COMMANDS)
    assert cli.get_command(context, "nope") is None


def test_a_switch_loads_botocore_but_not_boto3_or_s3transfer() -> None:
    # GIVEN a fresh interpreter WHEN it loads the switch command and the context that builds its clients
    probe = (
        "import sys\n"
        "import bluegreen.commands.switch, bluegreen.context\n"
        "print(sorted(m for m in ('boto3', 's3transfer', 'botocore.session') if m in sys.modules))\n"
    )
    # THEN only botocore is there: boto3's session adds nothing the tool uses, only start-up time
    assert fresh_interpreter_prints(probe) == "['botocore.session']"


def test_a_command_makes_clients_without_the_crt_or_pyopenssl() -> None:
    # GIVEN a fresh interpreter WHEN the CLI's start-up runs, then a client is made as a command makes it
    def probe(skip: bool) -> str:
        return (
            "import sys\n"
            "from bluegreen.cli import skip_unused_optional_modules\n"
            + ("skip_unused_optional_modules()\n" if skip else "")
            + "from bluegreen.aws.base import RETRY_CONFIG, BotocoreSession\n"
            "BotocoreSession('us-east-1').client('cloudformation', config=RETRY_CONFIG)\n"
            "print(sorted(m for m in ('awscrt', 'OpenSSL') if sys.modules.get(m)))\n"
        )

    # THEN botocore took its pure-Python paths: neither package was loaded, where without the start-up's
    # step the same client loads both (they are installed: SAM CLI and moto bring them)
    assert fresh_interpreter_prints(probe(skip=True)) == "[]"
    assert fresh_interpreter_prints(probe(skip=False)) == "['OpenSSL', 'awscrt']"


def test_the_script_collects_at_the_commands_pace_and_leaves_its_objects_to_the_os_at_exit() -> None:
    # GIVEN a fresh interpreter WHEN the script's entry point runs a command (its help) to its exit
    probe = (
        "import gc, sys\n"
        "from bluegreen.cli import ALLOCATIONS_BETWEEN_COLLECTIONS, run\n"
        "sys.argv = ['bluegreen', '--help']\n"
        "try:\n    run()\nexcept SystemExit as done:\n    code = done.code\n"
        "paced = gc.get_threshold()[0] == ALLOCATIONS_BETWEEN_COLLECTIONS\n"
        "print(code, paced, gc.get_freeze_count() > 1000)\n"
    )
    # THEN the command succeeded, the collector ran at the command's pace, and what the run made is frozen:
    # the interpreter's exit does not walk it object by object
    assert fresh_interpreter_prints(probe).splitlines()[-1] == "0 True True"
