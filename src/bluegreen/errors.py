"""The tool's own errors: each carries the exit code the CLI turns it into."""

from __future__ import annotations


class BlueGreenError(Exception):
    """Root of every expected failure; `main()` prints it as one line and exits with `exit_code`."""

    exit_code = 1


class UsageError(BlueGreenError):
    """The command line or the project configuration is wrong: nothing was attempted."""

    exit_code = 2


class ConfigError(UsageError):
    """A samconfig file or a stack the tool relies on is missing or malformed."""


class OperationFailed(BlueGreenError):
    """The operation ran and failed (AWS refused, a check failed, a timeout passed)."""


class Unhealthy(OperationFailed):
    """Something the operator relies on is unhealthy or drifted."""


class LockHeld(OperationFailed):
    """Another switch holds the lock; carries the holder so the message can name it."""

    def __init__(self, holder: str, expires_at: str) -> None:
        super().__init__(f"another switch is running: lock held by {holder} until {expires_at}")
        self.holder = holder
        self.expires_at = expires_at


class ChangeFailed(OperationFailed):
    """The CloudFormation update of the custom-domain stack did not complete."""
