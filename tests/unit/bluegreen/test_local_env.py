"""The local config env never reaches AWS: loopback endpoints or its env file, else refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bluegreen.cli import main
from bluegreen.errors import ConfigError
from bluegreen.local_env import endpoint_problems, ensure_local, is_loopback_host

LOCAL = {
    "AWS_ENDPOINT_URL": "http://localhost:4566",
    "BLUEGREEN_CONNECT_TO": "localhost:4443",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}
REAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
}


def write_env_file(root: Path, endpoint: str = "http://localhost:4566") -> Path:
    (root / ".localcloud").mkdir()
    path = root / ".localcloud" / "env"
    path.write_text(
        f"export AWS_ENDPOINT_URL={endpoint}\nexport AWS_ACCESS_KEY_ID=test\n"
        "export AWS_SECRET_ACCESS_KEY=test\n"
        "export AWS_DEFAULT_REGION=us-east-1\nexport BLUEGREEN_CONNECT_TO=localhost:4443\n"
    )
    return path


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "LOCALHOST"])
def test_loopback_hosts_are_local(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host", [None, "", "cloudformation.us-east-1.amazonaws.com", "10.0.0.1", "localhost.evil.com", "0.0.0.0"]
)
def test_other_hosts_are_not(host: str | None) -> None:
    assert not is_loopback_host(host)


def test_a_loopback_environment_has_no_problem() -> None:
    assert endpoint_problems(dict(LOCAL)) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"AWS_ENDPOINT_URL": ""}, "AWS_ENDPOINT_URL is not set"),
        ({"AWS_ENDPOINT_URL": "https://cloudformation.us-east-1.amazonaws.com"}, "not a loopback"),
        ({"AWS_ENDPOINT_URL_STS": "https://sts.amazonaws.com"}, "AWS_ENDPOINT_URL_STS"),
        ({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
        ({"BLUEGREEN_CONNECT_TO": ""}, "BLUEGREEN_CONNECT_TO is not set"),
        ({"BLUEGREEN_CONNECT_TO": "api.example.com:443:localhost:4443"}, "every HTTPS request"),
        ({"BLUEGREEN_CONNECT_TO": "203.0.113.9:443"}, "loopback HOST:PORT"),
    ],
)
def test_each_way_out_is_named(change: dict[str, str], named: str) -> None:
    # GIVEN a local environment with one setting that could reach elsewhere
    environ = {**LOCAL, **change}
    # THEN the problem names it
    assert any(named in problem for problem in endpoint_problems(environ))


def test_other_config_envs_are_not_checked(tmp_path: Path) -> None:
    assert ensure_local("default", tmp_path, dict(REAL_CREDENTIALS)) is None


def test_local_without_endpoint_or_env_file_is_refused_with_the_next_command(tmp_path: Path) -> None:
    # GIVEN real AWS credentials in the shell and no local cloud env file
    with pytest.raises(ConfigError) as refused:
        ensure_local("local", tmp_path, dict(REAL_CREDENTIALS))
    # THEN exit 2, saying how to start and load the local cloud
    assert refused.value.exit_code == 2
    assert "make local-up" in refused.value.message and "source .localcloud/env" in refused.value.message


def test_local_loads_the_env_file_over_aws_settings(tmp_path: Path) -> None:
    # GIVEN an AWS shell (profile, session token, AWS endpoint) and the local cloud's env file
    write_env_file(tmp_path)
    environ = {
        **REAL_CREDENTIALS,
        "AWS_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "token",
        "AWS_ENDPOINT_URL": "https://cloudformation.us-east-1.amazonaws.com",
        "AWS_ENDPOINT_URL_S3": "https://s3.amazonaws.com",
    }
    # WHEN the local env starts
    note = ensure_local("local", tmp_path, environ)
    # THEN every AWS setting is replaced by the local cloud's
    assert note is not None and "loaded" in note
    assert environ["AWS_ENDPOINT_URL"] == "http://localhost:4566"
    assert environ["AWS_ACCESS_KEY_ID"] == "test"
    assert "AWS_PROFILE" not in environ and "AWS_SESSION_TOKEN" not in environ
    assert "AWS_ENDPOINT_URL_S3" not in environ


def test_an_env_file_pointing_elsewhere_is_refused(tmp_path: Path) -> None:
    write_env_file(tmp_path, endpoint="https://cloudformation.us-east-1.amazonaws.com")
    with pytest.raises(ConfigError, match="after loading"):
        ensure_local("local", tmp_path, dict(REAL_CREDENTIALS))


def test_cli_refuses_the_local_env_before_any_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN real-looking AWS credentials, no endpoint, no env file (sockets refused by the fixture)
    for key, value in REAL_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    # WHEN `bluegreen --config-env local status` runs
    with pytest.raises(SystemExit) as exited:
        main(["--config-env", "local", "--project-dir", str(tmp_path), "status"])
    # THEN it exits 2 with one line naming the next commands, having opened no socket
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.count("\n") == 1 and "make local-up" in err and "source .localcloud/env" in err


def test_make_refuses_the_local_env_without_a_local_cloud(tmp_path: Path) -> None:
    # GIVEN a copy of the project without .localcloud/ and an AWS shell
    root = Path(__file__).resolve().parents[3]
    for name in ("Makefile", "pyproject.toml", "samconfig", "stacks", "mk"):
        source = root / name
        (tmp_path / name).symlink_to(source, target_is_directory=source.is_dir())
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (tmp_path / "installed").touch()  # newer than pyproject.toml: make installs nothing
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "BLUEGREEN_"))}
    env.update(REAL_CREDENTIALS, BLUEGREEN_CA_BUNDLE="")
    # WHEN `make status CONFIG_ENV=local` and `make delete-domain CONFIG_ENV=local` run
    for target in ("status", "delete-domain"):
        done = subprocess.run(
            ["make", "-s", "-C", str(tmp_path), target, "CONFIG_ENV=local", "INSTALL_STAMP=installed"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        # THEN bluegreen refuses with the next command (make reports its exit 2)
        assert "make local-up" in done.stderr, done.stderr
        assert done.returncode != 0


def test_a_shell_pointed_at_a_local_cloud_is_not_repointed_by_the_file(tmp_path: Path) -> None:
    # GIVEN a loopback endpoint but no connect-to, and an env file of another local cloud
    write_env_file(tmp_path, endpoint="http://localhost:5566")
    environ = {**LOCAL, "BLUEGREEN_CONNECT_TO": ""}
    # WHEN the local env starts THEN it refuses, naming the missing setting, and changes nothing
    with pytest.raises(ConfigError, match="BLUEGREEN_CONNECT_TO is not set"):
        ensure_local("local", tmp_path, environ)
    assert environ["AWS_ENDPOINT_URL"] == "http://localhost:4566"
