"""Extensions that make moto behave as AWS does for the blue/green flow (see ../README.md).

Each extension module declares its patches in `localcloud.patches.registry` when imported and its
CloudFormation resource types as `cfn_provider.ResourceProvider` subclasses; `install()` checks the moto
version, imports them all, then applies the registry as a whole.
"""

import importlib
import threading

_lock = threading.Lock()
_installed = False

# Every extension module, in the order its patches apply.
EXTENSIONS = (
    "cfn_provider",
    "cfn_capabilities",
    "cfn_events",
    "cfn_resource_status",
    "cfn_resources",
    "cfn_exports",
    "cfn_stacks",
    "cfn_change_sets",
    "cfn_template_parsing",
    "apigateway_account",
    "apigateway_rest_api",
    "apigateway_method",
    "apigateway_validator_resources",
    "apigateway_authorizers",
    "apigateway_api_keys",
    "apigateway_gateway_responses",
    "apigateway_binary_media_types",
    "apigateway_stage",
    "apigateway_domain_name",
    "apigateway_base_path_mapping",
    "apigateway_delete_guard",
    "apigatewayv2_routing_rules",
    "cloudwatch_alarm",
    "route53_zone_ids",
    "iam_managed_policies",
    "cloudcontrol",
    "dynamodb_atomic_writes",
    "dynamodb_projection",
    "lambda_function",
    "lambda_version_alias",
    "lambda_permission",
    "s3_bucket_policy",
    "s3_bucket_policy_conditions",
    "server_service_lookup",
    # Modules outside this package that patch moto too (full names).
    "localcloud.observability.cloudwatch_api",
    "localcloud.observability.lambda_logging_config",
    "localcloud.lambda_runtime.moto_hook",
)


def load() -> None:
    """Import every extension (declaring its patches) without applying anything."""
    from ._moto import check_version

    check_version()
    for name in EXTENSIONS:
        importlib.import_module(name if name.startswith("localcloud.") else f"{__name__}.{name}")


def install() -> None:
    """Patch moto once per process. Idempotent and thread-safe; fails naming a patch whose target is gone."""
    global _installed
    with _lock:
        if _installed:
            return
        load()
        from localcloud.patches import registry

        from ._moto import parsing
        from .cfn_provider import provider_types

        registry.apply_all()
        missing = [
            t.cloudformation_type()
            for t in provider_types()
            if parsing.get_model_map().get(t.cloudformation_type()) is not t
        ]
        if missing:
            registry.undo_all()
            raise RuntimeError(f"CloudFormation types not registered: {missing}")
        _installed = True


def uninstall() -> None:
    """Undo every patch: moto is plain moto again (tests that must not see the local cloud's changes)."""
    global _installed
    with _lock:
        from localcloud.patches import registry

        registry.undo_all()
        _installed = False
