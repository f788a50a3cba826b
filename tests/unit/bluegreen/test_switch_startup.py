"""Command start-up: the CLI imports only the command it runs, and lists the others from their short help."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest

from bluegreen.cli import COMMANDS, cli
from bluegreen.deferred_crt import NATIVE_LIBRARY


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


def test_a_command_makes_clients_without_loading_the_crts_native_library_or_pyopenssl() -> None:
    # GIVEN a fresh interpreter WHEN the CLI's start-up runs, then a client is made as a command makes it
    def probe(start_up: bool) -> str:
        return (
            "import sys\n"
            "from bluegreen.cli import lighten_botocore_start\n"
            + ("lighten_botocore_start()\n" if start_up else "")
            + "from bluegreen.aws.base import RETRY_CONFIG, BotocoreSession\n"
            "from botocore.compat import HAS_CRT\n"
            "BotocoreSession('us-east-1').client('cloudformation', config=RETRY_CONFIG)\n"
            "loaded = [m for m in ('_awscrt', 'OpenSSL') if type(sys.modules.get(m)).__name__ == 'module']\n"
            "print(HAS_CRT, sorted(loaded))\n"
        )

    # THEN botocore still sees the CRT, but neither the CRT's native library nor pyOpenSSL was loaded, where
    # without the start-up's step the same client loads both (they are installed: SAM CLI and moto bring them)
    assert fresh_interpreter_prints(probe(start_up=True)) == "True []"
    assert fresh_interpreter_prints(probe(start_up=False)) == "True ['OpenSSL', '_awscrt']"


def test_the_crts_native_library_loads_when_first_called_and_serves_botocore() -> None:
    # GIVEN a fresh interpreter after the CLI's start-up
    probe = (
        "import sys\n"
        "from bluegreen.cli import lighten_botocore_start\n"
        "lighten_botocore_start()\n"
        "from botocore.compat import EC\n"
        "from botocore.credentials import _build_dpop_header\n"
        "from awscrt.checksums import crc32c\n"
        "from awscrt.crypto import ECType\n"
        "from bluegreen.deferred_crt import native_library_loaded\n"
        "before = native_library_loaded()\n"
        # WHEN botocore signs a login token refresh (what `aws login` credentials do) and a checksum is taken
        "header = _build_dpop_header(EC.new_generate(ECType.P_256), 'https://signin.example/token')\n"
        "print(before, native_library_loaded(), header.count('.'), hex(crc32c(b'abc')))\n"
        "print(sys.modules['_awscrt'].__name__, type(sys.modules['_awscrt']).__name__)\n"
        # and the stand-in the CRT's modules imported now holds the library's own functions
        "import awscrt.checksums\n"
        "stand_in, native = awscrt.checksums._awscrt, sys.modules['_awscrt']\n"
        "names = [n for n in vars(native) if not n.startswith('__')]\n"
        "held = all(vars(stand_in)[n] is vars(native)[n] for n in names)\n"
        "print(stand_in is not native, len(names) > 100, held)\n"
    )
    # THEN the library was loaded then, once, and did the work: a signed JWT (three parts), and the CRC32C
    # (Castagnoli, RFC 3720) of "abc", as a bitwise implementation computes it
    first, second, third = fresh_interpreter_prints(probe).splitlines()
    assert first == "False True 2 0x364b3fb7"
    assert second == "_awscrt module"
    assert third == "True True True"


def test_a_profile_signed_in_with_aws_login_gets_its_credentials(tmp_path: Path) -> None:
    # GIVEN a profile signed in with `aws login`, its session cached and valid for an hour
    from botocore.utils import JSONFileCache, LoginTokenLoader

    session = "arn:aws:iam::123456789012:user/operator"
    (tmp_path / "config").write_text(f"[profile signed-in]\nlogin_session = {session}\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text("")
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    LoginTokenLoader(JSONFileCache(str(tmp_path / "login"))).save_token(
        session,
        {
            "accessToken": {
                "accessKeyId": "ASIAEXAMPLELOGIN",
                "secretAccessKey": "secret",
                "sessionToken": "token",
                "accountId": "123456789012",
                "expiresAt": expires,
            },
            "refreshToken": "refresh",
            "dpopKey": "unused while the session is valid",
            "clientId": "client",
        },
    )
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_LOGIN_CACHE_DIRECTORY": str(tmp_path / "login"),
        "AWS_PROFILE": "signed-in",
    }
    # WHEN a CLI process (its start-up step first) reads the credentials its clients sign with
    probe = (
        "from bluegreen.cli import lighten_botocore_start\n"
        "lighten_botocore_start()\n"
        "from bluegreen.aws.base import BotocoreSession\n"
        "credentials = BotocoreSession('us-east-1')._session.get_credentials()\n"
        "print(credentials.method, credentials.access_key)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environ, timeout=60
    )
    # THEN they are the login session's, where marking the CRT absent made botocore refuse the profile
    # ("requires an additional dependency ... pip install botocore[crt]") though the CRT is installed
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "login ASIAEXAMPLELOGIN"


def test_the_crts_python_modules_reach_the_native_library_only_inside_functions() -> None:
    # GIVEN the CRT's Python modules as installed
    import awscrt

    package = Path(awscrt.__file__).parent
    at_import: list[str] = []
    for source in sorted(package.rglob("*.py")):
        tree = ast.parse(source.read_text())
        for node in _outside_functions(tree):
            # WHEN a module or class body reads a name of the native library, or imports names from it
            if isinstance(node, ast.Attribute) and _is_native_library(node.value):
                at_import.append(f"{source.name}:{node.lineno} {NATIVE_LIBRARY}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == NATIVE_LIBRARY:
                at_import.append(f"{source.name}:{node.lineno} from {NATIVE_LIBRARY} import ...")
    # THEN none does: importing them loads nothing, which the deferral relies on (a CRT upgrade that reads
    # one at import would load the library at every start again, and this names where)
    assert at_import == []


def _is_native_library(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == NATIVE_LIBRARY


def _outside_functions(node: ast.AST) -> list[ast.AST]:
    """The nodes that run when a module is imported: everything but what functions and lambdas run when
    called (their decorators and default values run at import)."""
    found: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            decorators = [] if isinstance(child, ast.Lambda) else child.decorator_list
            at_definition = [*decorators, *child.args.defaults, *filter(None, child.args.kw_defaults)]
            for expression in at_definition:
                found.append(expression)
                found.extend(_outside_functions(expression))
            continue
        found.append(child)
        found.extend(_outside_functions(child))
    return found


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
