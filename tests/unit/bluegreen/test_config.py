"""samconfig reading: stack names, regions, overrides in both spellings, and clear configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluegreen.config import Project, parse_parameter_overrides
from bluegreen.duration import parse_duration
from bluegreen.errors import ConfigError
from bluegreen.history import Record
from bluegreen.retire import grace_violation
from tests.unit.bluegreen.world import write_project


def test_reads_stack_region_capabilities_with_absolute_paths(tmp_path: Path) -> None:
    project = Project(write_project(tmp_path) / "." / "", "default")
    config = project.deploy_config("custom-domain")
    assert config.stack_name == "petstore-custom-domain" and config.region == "us-east-1"
    assert config.capabilities == ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")
    assert config.parameter_overrides == {"CustomDomainName": "api.example.com"}
    assert config.config_file.is_absolute() and config.config_file.name == "custom-domain.toml"
    assert config.template_file == tmp_path.resolve() / "stacks" / "custom-domain-stack.yaml"
    assert Project(tmp_path, "local").deploy_config("blue").stack_name == "petstore-blue-local"


def test_parameter_overrides_string_and_list_forms() -> None:
    assert parse_parameter_overrides('A=1 B="two words" C=') == {"A": "1", "B": "two words", "C": ""}
    assert parse_parameter_overrides(["A=1", "B=x=y"]) == {"A": "1", "B": "x=y"}
    with pytest.raises(ConfigError, match="not KEY=VALUE"):
        parse_parameter_overrides("JustAWord")
    with pytest.raises(ConfigError):
        parse_parameter_overrides(42)


def test_global_parameters_apply_and_deploy_overrides_them(tmp_path: Path) -> None:
    (tmp_path / "samconfig").mkdir()
    (tmp_path / "samconfig" / "blue.toml").write_text(
        'version = 0.1\n[default.global.parameters]\nregion = "eu-west-1"\nstack_name = "g"\n'
        '[default.deploy.parameters]\nstack_name = "petstore-blue"\n'
    )
    config = Project(tmp_path, "default").deploy_config("blue")
    assert (config.stack_name, config.region) == ("petstore-blue", "eu-west-1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "samconfig not found"),
        ("version = 0.1\n[default.deploy.parameters\n", "invalid TOML"),
        ('version = 0.1\n[other.deploy.parameters]\nstack_name = "x"\n', r"no config env \[default\]"),
        ('version = 0.1\n[default.deploy.parameters]\nregion = "us-east-1"\n', "has no stack_name"),
    ],
)
def test_configuration_errors_exit_two(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "samconfig").mkdir()
        (tmp_path / "samconfig" / "green.toml").write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        Project(tmp_path, "default").deploy_config("green")
    assert caught.value.exit_code == 2


def test_durations() -> None:
    assert [parse_duration(t) for t in ("90", "90s", "30m", "1h", "2d", "1.5h")] == [
        90,
        90,
        1800,
        3600,
        172800,
        5400,
    ]
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_grace_window_uses_the_last_switch_away_or_a_failed_switch_to_the_color() -> None:
    away = Record(
        "r1",
        "2026-11-22T20:00:00.000Z",
        "alice",
        "switch",
        from_color="blue",
        to_color="green",
        state="SUCCEEDED",
        finished_at="2026-11-22T20:00:30.000Z",
    )
    now = 1_795_377_630.0 + 30 * 60  # 30 min after 2026-11-22T20:00:30Z
    assert grace_violation("blue", [away], now, grace=3600) == "blue was live 30 min ago (grace 60 min)"
    assert grace_violation("blue", [away], now, grace=1200) is None
    assert grace_violation("green", [away], now, grace=3600) is None
    failed_to = Record(
        "r2",
        "2026-11-22T20:10:00.000Z",
        "bob",
        "switch",
        from_color="green",
        to_color="blue",
        state="ROLLED_BACK",
        finished_at="2026-11-22T20:10:00.000Z",
    )
    assert grace_violation("blue", [failed_to, away], now, grace=3600) is not None
