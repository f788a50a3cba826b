"""`localcloud`: run the local AWS endpoint (`up`) and create a deploy's prerequisites (`bootstrap`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from localcloud.bootstrap import BootstrapError, bootstrap
from localcloud.server import HEALTH_PATH, Endpoints, LocalCloud, ServerConfig

EXIT_FAILED = 1


class LocalCloudError(click.ClickException):
    """The tool's own failures: one clear line and exit code 1."""

    exit_code = EXIT_FAILED


def _print_ready(endpoints: Endpoints) -> None:
    ca = endpoints.ca_bundle
    click.echo(
        f"localcloud is up: control plane {endpoints.endpoint_url}, data plane https://{endpoints.data_address}"
    )
    click.echo(f"readiness: {endpoints.endpoint_url}{HEALTH_PATH}")
    click.echo(f"# In another shell (also written to {endpoints.state_dir / 'env'}):")
    click.echo(endpoints.export_lines(), nl=False)
    click.echo("# Call a stage URL or a custom domain from the stack outputs, for example:")
    click.echo(
        f"curl --connect-to ::{endpoints.data_address} --cacert {ca} "
        "https://<apiId>.execute-api.us-east-1.amazonaws.com/<stage>/pets"
    )
    click.echo(
        f"curl --connect-to ::{endpoints.data_address} --cacert {ca} https://api.petstore.example.com/pets"
    )
    from localcloud.extensions._moto import EXPECTED_MOTO_VERSION
    from localcloud.patches import registry

    applied = sum(1 for patch in registry if patch.applied)
    click.echo(
        f"{applied} patches applied to moto {EXPECTED_MOTO_VERSION} (`localcloud patches` lists them).",
        err=True,
    )
    click.echo("Ctrl-C stops it.", err=True)
    sys.stdout.flush()


@click.group()
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """The local cloud: moto plus the pieces the blue/green flow needs, with no AWS account."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    # moto's werkzeug server logs every request at INFO; that is noise unless debugging.
    logging.getLogger("werkzeug").setLevel(logging.DEBUG if debug else logging.WARNING)
    ctx.obj = {"debug": debug}


@main.command()
@click.option("--port", default=4566, show_default=True, help="Control plane port (0 picks a free one).")
@click.option(
    "--data-port", default=4443, show_default=True, help="HTTPS data plane port (0 picks a free one)."
)
@click.option("--host", default="localhost", show_default=True, help="Hostname clients use; keep localhost.")
@click.option(
    "--state-dir",
    default=".localcloud",
    show_default=True,
    type=click.Path(path_type=Path),
    help="CA, unzipped code, the env file and the state snapshot.",
)
@click.option(
    "--ephemeral",
    is_flag=True,
    help="Start empty and keep nothing: no snapshot is read or written (tests, demos).",
)
@click.pass_context
def up(ctx: click.Context, port: int, data_port: int, host: str, state_dir: Path, ephemeral: bool) -> None:
    """Run the control plane and the data plane until Ctrl-C or SIGTERM; resume the state dir's last state."""
    config = ServerConfig(host=host, port=port, data_port=data_port, state_dir=state_dir, ephemeral=ephemeral)
    cloud = LocalCloud(config)
    from localcloud.state import SnapshotError

    try:
        cloud.serve_until_signalled(_print_ready)
    except OSError as exc:
        if ctx.obj["debug"]:
            raise
        raise LocalCloudError(f"cannot listen: {exc}") from exc
    except SnapshotError as exc:
        if ctx.obj["debug"]:
            raise
        raise LocalCloudError(f"{exc}; start with --ephemeral, or wipe it with `localcloud reset`") from exc


@main.command()
@click.option(
    "--state-dir",
    default=".localcloud",
    show_default=True,
    type=click.Path(path_type=Path),
    help="The state dir to wipe.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(state_dir: Path, yes: bool) -> None:
    """Forget everything the local cloud holds: the state snapshot and unzipped code (the CA stays)."""
    from localcloud.state import reset_state

    if not yes:
        click.confirm(f"Wipe the local cloud state in {state_dir}?", abort=True)
    try:
        removed = reset_state(state_dir)
    except RuntimeError as exc:
        raise LocalCloudError(str(exc)) from exc
    click.echo(f"reset {state_dir}: removed {', '.join(removed) if removed else 'nothing (already empty)'}")


@main.command(name="bootstrap")
@click.option("--domain", required=True, help="The API's custom domain, e.g. api.petstore.example.com.")
@click.option(
    "--bucket", default="petstore-sam-artifacts-local", show_default=True, help="Deployment bucket."
)
@click.pass_context
def bootstrap_command(ctx: click.Context, domain: str, bucket: str) -> None:
    """Create, or find, the hosted zone, certificate, bucket and API Gateway logs role a deploy needs."""
    import boto3

    try:
        found = bootstrap(boto3.Session(), domain, bucket, click.echo)
    except BootstrapError as exc:
        if ctx.obj["debug"]:
            raise
        raise LocalCloudError(str(exc)) from exc
    click.echo(f"HostedZoneId={found.hosted_zone_id}")
    click.echo(f"CertificateArn={found.certificate_arn}")
    click.echo(f"Bucket={found.bucket}")


@main.command(name="patches")
def patches_command() -> None:
    """List every change the local cloud makes to moto, and the resource types it adds."""
    from localcloud import extensions
    from localcloud.extensions.cfn_provider import provider_types
    from localcloud.patches import registry

    try:
        extensions.install()
    except RuntimeError as exc:  # a moto version or patch target mismatch: say which, exit 1
        raise LocalCloudError(str(exc)) from exc
    for patch in registry:
        state = "applied" if patch.applied else "NOT APPLIED"
        click.echo(f"{patch.target}\t{state}\t{patch.origin}\t{patch.reason}")
    for provider in provider_types():
        click.echo(f"{provider.cloudformation_type()}\tresource type\t{provider.__module__}")


if __name__ == "__main__":
    main()
