"""The tool's own errors: each is a `click.ClickException` carrying the exit code the CLI turns it into."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import click
from botocore.exceptions import BotoCoreError, EndpointConnectionError, NoCredentialsError


class BlueGreenError(click.ClickException):
    """Root of every expected failure; click prints it as one line and exits with `exit_code`."""

    exit_code = 1
    label = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def format_message(self) -> str:
        return self.message

    def show(self, file: object = None) -> None:
        click.echo(f"bluegreen: {self.label}: {self.format_message()}", err=True)


class UsageError(BlueGreenError):
    """The command line or the project configuration is wrong: nothing was attempted."""

    exit_code = 2
    label = "usage error"


class ConfigError(UsageError):
    """A samconfig file or a stack the tool relies on is missing or malformed."""

    label = "configuration error"


class OperationFailed(BlueGreenError):
    """The operation ran and failed (AWS refused, a check failed, a timeout passed)."""


class Unhealthy(OperationFailed):
    """Something the operator relies on is unhealthy or drifted."""


class NoTerminal(OperationFailed):
    """A confirmation was needed but there is no terminal to ask: the run is cancelled, not declined."""


class LockHeld(OperationFailed):
    """Another command holds the lock; carries the holder so the message can name it."""

    def __init__(self, holder: str, expires_at: str) -> None:
        super().__init__(
            f"another bluegreen command holds the lock: {holder}, lease until {expires_at} "
            "(renewed while it runs; taken over once it lapses or its process is gone)"
        )
        self.holder = holder
        self.expires_at = expires_at


class LockLost(OperationFailed):
    """Our lease lapsed and another run took the lock over: stop before changing anything more."""


class ChangeFailed(OperationFailed):
    """The CloudFormation update of the custom-domain stack did not complete."""


def option_hint(flag: str, make_variable: str) -> str:
    """The way to pass an option as the operator typed the command: `FORCE=1` under make, else `--force`."""
    return make_variable if os.environ.get("BLUEGREEN_INVOKED_BY") == "make" else flag


def aws_error_hint(exc: BotoCoreError) -> str:
    """The likely cause of a client-side AWS error and the next command, or "" when there is none to give."""
    if isinstance(exc, EndpointConnectionError):
        host = urlsplit(str(exc.kwargs.get("endpoint_url", ""))).hostname or ""
        if host in ("localhost", "::1") or host.startswith("127."):
            return "the local cloud is not running: start it with `make local-up` (another terminal)"
        return "check the network, the region and AWS_ENDPOINT_URL"
    if isinstance(exc, NoCredentialsError):
        return "configure AWS credentials, or use --config-env local (CONFIG_ENV=local) with `make local-up`"
    return ""
