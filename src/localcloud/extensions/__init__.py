"""Extensions that make moto behave as AWS does for the blue/green flow (see ../README.md)."""


def install() -> None:
    """Patch moto once per process. Idempotent."""
