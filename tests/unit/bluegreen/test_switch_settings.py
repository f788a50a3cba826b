"""Verify's K and interval and the warm floor and cap per samconfig environment, flags over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluegreen.commands.switch import build_options
from bluegreen.config import Project, SwitchSettings
from bluegreen.errors import ConfigError

FLAGS = {
    "assume_yes": True,
    "dry_run": False,
    "fail_after": 3,
    "verify_timeout": 120.0,
    "preflight_timeout": 60.0,
    "bake_seconds": 0.0,
    "bake_interval": 5.0,
    "lock_ttl": 60.0,
}


def project(tmp_path: Path, tables: str) -> Project:
    (tmp_path / "samconfig").mkdir()
    (tmp_path / "samconfig" / "custom-domain.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nstack_name = "domain"\n'
        '[local.deploy.parameters]\nstack_name = "domain"\n' + tables
    )
    return Project(tmp_path, "local")


def test_aws_defaults_space_the_passing_streak_for_mapping_propagation(tmp_path: Path) -> None:
    # GIVEN no bluegreen table: the AWS defaults apply
    settings = project(tmp_path, "").switch_settings()
    assert settings == SwitchSettings()
    assert settings.consecutive * settings.verify_interval >= 4.0  # the streak spans at least 4 s


def test_the_config_envs_table_sets_them_and_flags_win(tmp_path: Path) -> None:
    # GIVEN the local env verifying 0.1 s apart, K=4, warming 3 to 6
    settings = project(
        tmp_path,
        "[local.bluegreen.parameters]\nverify_interval = 0.1\nconsecutive = 4\n"
        "warm_floor = 3\nwarm_cap = 6\n",
    ).switch_settings()
    assert settings == SwitchSettings(verify_interval=0.1, consecutive=4, warm_floor=3, warm_cap=6)
    # WHEN no flag is given THEN the table applies; WHEN flags are given THEN they win
    options = build_options(settings, consecutive=None, verify_interval=None, **FLAGS)  # type: ignore[arg-type]
    assert (options.consecutive, options.verify_interval) == (4, 0.1)
    options = build_options(settings, consecutive=7, verify_interval=1.5, **FLAGS)  # type: ignore[arg-type]
    assert (options.consecutive, options.verify_interval) == (7, 1.5)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("verify_interval = -1", "verify_interval must be a number from 0.0 to 60.0"),
        ("consecutive = 0", "consecutive must be an integer from 1 to 100"),
        ("consecutive = 2.5", "consecutive must be an integer"),
        ('verify_interval = "fast"', "verify_interval must be a number"),
        ("warm_floor = 9\nwarm_cap = 4", "warm_floor (9) must not exceed warm_cap (4)"),
        ("verify_every = 1", "unknown key(s) verify_every"),
        ('warm_paths = "/health"', "warm_paths must be a list of paths"),
        ('warm_paths = ["health"]', "warm_paths must be a list of paths"),
    ],
)
def test_bad_settings_are_configuration_errors(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        project(tmp_path, f"[local.bluegreen.parameters]\n{table}\n").switch_settings()


def test_the_repositorys_samconfig_has_valid_settings_for_both_envs() -> None:
    root = Path(__file__).resolve().parents[3]
    aws = Project(root, "default").switch_settings()
    local = Project(root, "local").switch_settings()
    assert aws.consecutive * aws.verify_interval >= 4.0
    assert local.consecutive >= 3  # the local env shortens the spacing, never K
    assert aws.warm_paths[0] == local.warm_paths[0] == "/health"  # the first wave names the color
