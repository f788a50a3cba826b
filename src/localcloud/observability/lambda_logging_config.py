"""Lambda's LoggingConfig kept on moto's functions, so output goes to the log group the function names.

moto drops LoggingConfig (API and CloudFormation); Lambda returns it in GetFunctionConfiguration with the
default group /aws/lambda/<name> when none is set, and `sam logs` reads it from there.
Doc: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud.extensions._moto import awslambda


def log_group_of(function: Any) -> str:
    config = getattr(function, "logging_config", None) or {}
    return str(config.get("LogGroup") or f"/aws/lambda/{function.function_name}")


def _init(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original(self, account_id, spec, *args, **kwargs)
        self.logging_config = dict(spec.get("LoggingConfig") or {})

    return __init__


def _from_template(original: Any, template_position: int) -> Any:
    """Wrap create_ (template 2nd argument) or update_from_cloudformation_json (3rd)."""

    def build(cls: Any, /, *args: Any, **kwargs: Any) -> Any:
        function = original(*args, **kwargs)
        template = kwargs.get("cloudformation_json") or args[template_position]
        if hasattr(function, "function_name"):
            function.logging_config = dict(template.get("Properties", {}).get("LoggingConfig") or {})
        return function

    return classmethod(build)


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
    """Once per process, after the extensions (their CloudFormation update wrapper is wrapped here)."""
    function_class = awslambda.LambdaFunction
    if getattr(function_class, "__localcloud_logging_config__", False):
        return
    function_class.__localcloud_logging_config__ = True
    function_class.__init__ = _init(function_class.__init__)
    function_class.create_from_cloudformation_json = _from_template(
        function_class.create_from_cloudformation_json, 1
    )
    function_class.update_from_cloudformation_json = _from_template(
        function_class.update_from_cloudformation_json, 2
    )
    function_class.update_configuration = _update_configuration(function_class.update_configuration)
    function_class.get_configuration = _get_configuration(function_class.get_configuration)
