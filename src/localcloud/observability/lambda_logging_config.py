"""Lambda's LoggingConfig kept on moto's functions, so output goes to the log group the function names.

moto drops LoggingConfig (API and CloudFormation); Lambda returns it in GetFunctionConfiguration with the
default group /aws/lambda/<name> when none is set, and `sam logs` reads it from there.
Doc: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud.extensions._moto import awslambda
from localcloud.patches import Patch, register, registry


def log_group_of(function: Any) -> str:
    config = getattr(function, "logging_config", None) or {}
    return str(config.get("LogGroup") or f"/aws/lambda/{function.function_name}")


def _init(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original(self, account_id, spec, *args, **kwargs)
        self.logging_config = dict(spec.get("LoggingConfig") or {})

    return __init__


def keep_from_template(function: Any, cloudformation_json: dict[str, Any]) -> Any:
    """The function built from an AWS::Lambda::Function template keeps its LoggingConfig."""
    if hasattr(function, "function_name"):
        function.logging_config = dict(cloudformation_json.get("Properties", {}).get("LoggingConfig") or {})
    return function


def _created_from_template(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_from_cloudformation_json(cls: Any, /, *args: Any, **kwargs: Any) -> Any:
        template = kwargs.get("cloudformation_json") or args[1]
        return keep_from_template(original(cls, *args, **kwargs), template)

    return create_from_cloudformation_json


def _update_configuration(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if "LoggingConfig" in config_updates:
            self.logging_config = {**getattr(self, "logging_config", {}), **config_updates["LoggingConfig"]}
        return original(self, config_updates)

    return update_configuration


def _get_configuration(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_configuration(self: Any, *args: Any, **kwargs: Any) -> Any:
        configuration = original(self, *args, **kwargs)
        config = getattr(self, "logging_config", None) or {}
        configuration["LoggingConfig"] = {
            "LogFormat": config.get("LogFormat", "Text"),
            "LogGroup": log_group_of(self),
            **{k: v for k, v in config.items() if k in ("ApplicationLogLevel", "SystemLogLevel")},
        }
        return configuration

    return get_configuration


def install() -> None:
    """Make sure this module's patches are applied (extensions.install() applies them with the rest)."""
    registry.apply_all(origin=__name__)


# update_from_cloudformation_json is extensions/lambda_function.py's patch, which calls keep_from_template.
_FUNCTION = awslambda.LambdaFunction
register(
    __name__,
    Patch(_FUNCTION, "__init__", "CreateFunction keeps LoggingConfig", wrap=_init),
    Patch(
        _FUNCTION,
        "create_from_cloudformation_json",
        "AWS::Lambda::Function keeps LoggingConfig",
        wrap=_created_from_template,
    ),
    Patch(
        _FUNCTION,
        "update_configuration",
        "UpdateFunctionConfiguration keeps LoggingConfig",
        wrap=_update_configuration,
    ),
    Patch(
        _FUNCTION,
        "get_configuration",
        "GetFunctionConfiguration returns LoggingConfig with Lambda's defaults",
        wrap=_get_configuration,
    ),
)
