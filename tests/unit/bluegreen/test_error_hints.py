"""Errors name the likely cause and the next command to run."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError

from bluegreen.aws import Aws
from bluegreen.cli import main
from bluegreen.context import AppContext
from bluegreen.domain_params import domain_parameters
from bluegreen.errors import ConfigError, aws_error_hint
from bluegreen.stacks import ColorStack
from tests.unit.bluegreen.fakes import FakeClock
from tests.unit.bluegreen.test_cli import run_cli
from tests.unit.bluegreen.world import World, build_world


@pytest.fixture(name="world")
def world_fixture(moto: None, tmp_path: Path, clock: FakeClock) -> World:
    return build_world(tmp_path, clock)


class UnreachableSession:
    """A boto3 session whose every client fails as botocore does when nothing listens."""

    def __init__(self, endpoint: str, **_: Any) -> None:
        self.endpoint = endpoint

    def client(self, *args: Any, **kwargs: Any) -> Any:
        raise EndpointConnectionError(endpoint_url=self.endpoint)


def run_unreachable(endpoint: str, project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    factory = functools.partial(
        AppContext, boto_session_factory=functools.partial(UnreachableSession, endpoint)
    )
    with pytest.raises(SystemExit) as exited:
        main(["--project-dir", str(project), "history"], context_factory=factory)
    return int(exited.value.code or 0), capsys.readouterr().err


def test_a_local_cloud_that_is_down_says_make_local_up(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_unreachable("http://localhost:4566/", world.root, capsys)
    assert code == 1
    assert "Could not connect" in err and "make local-up" in err and err.count("\n") == 1


def test_an_unreachable_aws_endpoint_does_not_mention_the_local_cloud(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_unreachable("https://cloudformation.us-east-1.amazonaws.com", world.root, capsys)
    assert code == 1 and "local-up" not in err and "AWS_ENDPOINT_URL" in err


def test_missing_credentials_name_both_ways_out() -> None:
    hint = aws_error_hint(NoCredentialsError())
    assert "credentials" in hint and "make local-up" in hint


def test_outside_the_project_names_project_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--project-dir", str(tmp_path), "status"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "--project-dir" in err and "repository root" in err


def test_zone_lookup_lists_the_names_tried(aws: Aws) -> None:
    stack = ColorStack(
        color="blue",
        stack_name="petstore-blue",
        status="CREATE_COMPLETE",
        api_id="abc123",
        stage="v1",
        endpoint="https://abc123.execute-api.us-east-1.amazonaws.com/v1",
        version="1.0.0",
    )
    with pytest.raises(ConfigError) as refused:
        domain_parameters({"CustomDomainName": "api.shop.example.com"}, stack, aws)
    assert "shop.example.com., example.com." in refused.value.message
    assert "PublicHostedZoneId" in refused.value.message


@pytest.mark.parametrize(("invoked_by", "override"), [("", "use --force"), ("make", "use FORCE=1")])
def test_a_grace_refusal_names_the_override_as_typed(
    world: World,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    invoked_by: str,
    override: str,
) -> None:
    # GIVEN blue was live a moment ago
    code, _, err = run_cli(world, ["switch", "green", "--yes"], capsys, domain_follows_stack=True)
    assert code == 0, err
    world.remap("green")
    monkeypatch.setenv("BLUEGREEN_INVOKED_BY", invoked_by)
    # WHEN it is decommissioned within the grace window
    code, _, err = run_cli(world, ["decommission", "blue", "--yes", "--grace", "1h"], capsys)
    # THEN the refusal names the override the way the operator runs the tool
    assert code == 1 and override in err
