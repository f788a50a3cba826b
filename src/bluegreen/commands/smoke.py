"""`bluegreen smoke`: the smoke suite against a color's own URL, the live domain or any base URL."""

from __future__ import annotations

import click

from bluegreen.commands import json_option, pass_app, print_json, wants_json
from bluegreen.context import AppContext
from bluegreen.errors import ConfigError, Unhealthy, UsageError
from bluegreen.smoke import SmokeSuite


@click.command()
@click.argument("target")
@click.option(
    "--expect-color", default=None, help="Required 'environment' (default: the color for blue/green)."
)
@click.option("--expect-version", default=None, help="Required 'version' (default: the stack's output).")
@json_option
@pass_app
def smoke(
    app: AppContext, target: str, expect_color: str | None, expect_version: str | None, json_output: bool
) -> None:
    """Run the smoke suite. TARGET is blue, green, live or a base URL (https://host/stage)."""
    if target in ("blue", "green"):
        stack = app.colors.describe(target)
        if not stack.endpoint:
            raise ConfigError(stack.problem() or f"stack {stack.stack_name} has no endpoint output")
        url = stack.endpoint
        expect_color = expect_color or target
        expect_version = expect_version or stack.version or None
    elif target == "live":
        url = app.domain.url
    elif target.startswith(("https://", "http://")):
        url = target
    else:
        raise UsageError(f"smoke target {target!r} must be blue, green, live or an http(s) URL")
    report = SmokeSuite(app.http, expect_color=expect_color, expect_version=expect_version).run(url)
    if wants_json(app, json_output):
        print_json(report.to_dict())
    else:
        click.echo(f"smoke {report.base_url}")
        for result in report.results:
            click.echo(result.line())
        click.echo(f"answered by {report.answered_by()}")
    if not report.passed:
        raise Unhealthy(
            f"{len(report.failures)} of {len(report.results)} smoke checks failed on {report.base_url}"
        )
