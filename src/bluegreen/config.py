"""Reads the project's samconfig files: the single source of stack names, regions and static parameters."""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bluegreen.errors import ConfigError

# Samconfig file and template per deployable unit; names follow the repository layout.
UNITS = {
    "blue": ("samconfig/blue.toml", "stacks/blue-stack.yaml"),
    "green": ("samconfig/green.toml", "stacks/green-stack.yaml"),
    "custom-domain": ("samconfig/custom-domain.toml", "stacks/custom-domain-stack.yaml"),
    "data": ("samconfig/data.toml", "stacks/data-stack.yaml"),
}


@dataclass(frozen=True)
class DeployConfig:
    """What `sam deploy` would read for one unit in one config env, with absolute paths."""

    unit: str
    config_file: Path
    template_file: Path
    config_env: str
    stack_name: str
    region: str | None
    capabilities: tuple[str, ...] = ()
    parameter_overrides: dict[str, str] = field(default_factory=dict)


# Keys of a `[<env>.bluegreen.parameters]` table and their allowed ranges (ints stay ints).
SWITCH_SETTINGS: dict[str, tuple[float, float]] = {
    "verify_interval": (0.0, 60.0),
    "consecutive": (1, 100),
    "warm_floor": (0, 1000),
    "warm_cap": (1, 1000),
}
WARM_PATHS = "warm_paths"  # a list of paths, each starting with "/"


@dataclass(frozen=True)
class SwitchSettings:
    """How switch and rollback verify and warm. The defaults are AWS's: a mapping change is eventually
    consistent, so K passing live rounds 2 s apart must span 4 s of the hostname serving only the target."""

    verify_interval: float = 2.0
    consecutive: int = 3
    warm_floor: int = 2
    warm_cap: int = 100
    warm_paths: tuple[str, ...] = ("/health",)

    def __post_init__(self) -> None:
        if self.warm_floor > self.warm_cap:
            raise ValueError(f"warm_floor ({self.warm_floor}) must not exceed warm_cap ({self.warm_cap})")


def parse_parameter_overrides(raw: object) -> dict[str, str]:
    """Accepts samconfig's two spellings: one string "K=V K2='a b'" or a list of "K=V"."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        items = shlex.split(raw)
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = [part for item in raw for part in shlex.split(item)]
    else:
        raise ConfigError(f"parameter_overrides must be a string or a list of strings, not {raw!r}")
    overrides: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"parameter_overrides entry {item!r} is not KEY=VALUE")
        overrides[key] = value
    return overrides


def _parse_words(raw: object, name: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(raw.split())
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return tuple(raw)
    raise ConfigError(f"{name} must be a string or a list of strings, not {raw!r}")


class Project:
    """A checkout of the product: resolves samconfig files and templates from its root."""

    def __init__(self, root: Path, config_env: str) -> None:
        self.root = root.resolve()
        self.config_env = config_env

    def deploy_config(self, unit: str) -> DeployConfig:
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
        config_rel, template_rel = UNITS[unit]
        config_file = self.root / config_rel
        params = self._parameters(config_file, ("global", "deploy"))
        stack_name = params.get("stack_name")
        if not isinstance(stack_name, str) or not stack_name:
            raise ConfigError(f"{config_file}: [{self.config_env}.deploy.parameters] has no stack_name")
        region = params.get("region")
        if region is not None and not isinstance(region, str):
            raise ConfigError(f"{config_file}: region must be a string")
        return DeployConfig(
            unit=unit,
            config_file=config_file,
            template_file=self.root / template_rel,
            config_env=self.config_env,
            stack_name=stack_name,
            region=region,
            capabilities=_parse_words(params.get("capabilities"), "capabilities"),
            parameter_overrides=parse_parameter_overrides(params.get("parameter_overrides")),
        )

    def switch_settings(self) -> SwitchSettings:
        """The `[<env>.bluegreen.parameters]` table of the custom-domain samconfig (sam ignores it), over the
        AWS defaults: how switch and rollback verify and warm in this config env."""
        config_file = self.root / UNITS["custom-domain"][0]
        table = self._parameters(config_file, ("bluegreen",))
        unknown = sorted(set(table) - set(SWITCH_SETTINGS) - {WARM_PATHS})
        if unknown:
            raise ConfigError(
                f"{config_file}: [{self.config_env}.bluegreen.parameters] has unknown key(s) "
                f"{', '.join(unknown)}; known: {', '.join(SWITCH_SETTINGS)}"
            )
        values: dict[str, Any] = {}
        paths = table.pop(WARM_PATHS, None)
        if paths is not None:
            if (
                not isinstance(paths, list)
                or not paths
                or not all(isinstance(path, str) and path.startswith("/") for path in paths)
            ):
                raise ConfigError(
                    f"{config_file}: [{self.config_env}.bluegreen.parameters] {WARM_PATHS} must be a list of "
                    f'paths starting with "/", not {paths!r}'
                )
            values[WARM_PATHS] = tuple(paths)
        for key, value in table.items():
            low, high = SWITCH_SETTINGS[key]
            is_int = isinstance(value, int) and not isinstance(value, bool)
            wanted_int = isinstance(low, int)
            if not (is_int or (isinstance(value, float) and not wanted_int)) or not low <= value <= high:
                kind = "an integer" if wanted_int else "a number"
                raise ConfigError(
                    f"{config_file}: [{self.config_env}.bluegreen.parameters] {key} must be {kind} "
                    f"from {low} to {high}, not {value!r}"
                )
            values[key] = value
        try:
            return SwitchSettings(**values)
        except ValueError as exc:
            raise ConfigError(f"{config_file}: [{self.config_env}.bluegreen.parameters]: {exc}") from None

    def _parameters(self, config_file: Path, tables: tuple[str, ...]) -> dict[str, Any]:
        try:
            with config_file.open("rb") as handle:
                document = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(
                f"samconfig not found: {config_file}; run bluegreen from the repository root "
                "(cd to it) or pass --project-dir (env BLUEGREEN_PROJECT_DIR)"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_file}: invalid TOML: {exc}") from None
        env = document.get(self.config_env)
        if not isinstance(env, dict):
            raise ConfigError(f"{config_file}: no config env [{self.config_env}]")
        merged: dict[str, Any] = {}
        # SAM semantics: global parameters apply to every command, the command's table overrides them.
        for table in tables:
            section = env.get(table, {}).get("parameters", {})
            if isinstance(section, dict):
                merged.update(section)
        return merged
