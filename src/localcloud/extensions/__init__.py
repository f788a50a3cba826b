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
        # Imported here: each module keeps moto's original functions, taken before any patch is applied.
        # Importing a module that defines a CloudFormationModel subclass registers that resource type.
        from . import (
            apigateway_account,
            apigateway_api_keys,
            apigateway_authorizers,
            apigateway_base_path_mapping,
            apigateway_binary_media_types,
            apigateway_delete_guard,
            apigateway_domain_name,
            apigateway_gateway_responses,
            apigateway_method,
            apigateway_rest_api,
            apigateway_stage,
            apigatewayv2_routing_rules,
            cfn_capabilities,
            cfn_change_sets,
            cfn_events,
            cfn_resource_status,
            cfn_resources,
            cfn_stacks,
            cloudwatch_alarm,
            dynamodb_atomic_writes,
            lambda_function,
            lambda_version_alias,
            s3_bucket_policy,
            s3_bucket_policy_conditions,
        )
        from .cfn_registry import refresh_model_map

        patches = (
            cfn_capabilities,
            cfn_events,
            cfn_resource_status,
            cfn_resources,
            cfn_stacks,
            cfn_change_sets,
            apigateway_rest_api,
            apigateway_method,
            apigateway_authorizers,
            apigateway_binary_media_types,
            apigateway_domain_name,
            apigateway_base_path_mapping,
            apigateway_delete_guard,
            apigatewayv2_routing_rules,
            dynamodb_atomic_writes,
            lambda_function,
            lambda_version_alias,
            s3_bucket_policy_conditions,
        )
        for module in patches:
            module.install()
        new_types = (
            apigateway_stage.StageResource,
            apigateway_domain_name.DomainNameResource,
            apigateway_base_path_mapping.BasePathMappingResource,
            apigateway_account.AccountResource,
            apigatewayv2_routing_rules.RoutingRuleResource,
            apigateway_authorizers.AuthorizerResource,
            apigateway_gateway_responses.GatewayResponseResource,
            apigateway_api_keys.ApiKeyResource,
            apigateway_api_keys.UsagePlanResource,
            apigateway_api_keys.UsagePlanKeyResource,
            cloudwatch_alarm.AlarmResource,
            lambda_version_alias.AliasResource,
            s3_bucket_policy.BucketPolicyResource,
        )
        refresh_model_map()
        from ._moto import parsing

        missing = [
            t.cloudformation_type()
            for t in new_types
            if parsing.get_model_map().get(t.cloudformation_type()) is not t
        ]
        if missing:
            raise RuntimeError(f"CloudFormation types not registered: {missing}")
        _installed = True
