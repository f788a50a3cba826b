"""Extensions that make moto behave as AWS does for the blue/green flow (see ../README.md)."""

import threading

_lock = threading.Lock()
_installed = False


def install() -> None:
    """Patch moto once per process. Idempotent and thread-safe."""
    global _installed
    with _lock:
        if _installed:
            return
        # Imported here: each module captures moto's originals at import, before any patch is applied.
        from . import (
            apigateway_base_path_mapping,
            apigateway_delete_guard,
            apigateway_domain_name,
            apigateway_rest_api,
            cfn_change_sets,
            cfn_events,
            cfn_resources,
            cfn_stacks,
            lambda_function,
        )
        from .apigateway_stage import StageResource
        from .cfn_registry import refresh_model_map

        for module in (cfn_events, cfn_resources, cfn_stacks, cfn_change_sets, apigateway_rest_api,
                       apigateway_domain_name, apigateway_base_path_mapping, apigateway_delete_guard,
                       lambda_function):
            module.install()
        # New CloudFormation types are found through CloudFormationModel.__subclasses__().
        assert StageResource and apigateway_domain_name.DomainNameResource
        assert apigateway_base_path_mapping.BasePathMappingResource
        refresh_model_map()
        _installed = True
