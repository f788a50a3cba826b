"""AWS::ApiGateway::RestApi with a Body: the OpenAPI document becomes resources, methods and integrations.

AWS imports the Body on create and re-imports it (same API id) on update; moto ignores Body, needs a Name.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-restapi.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import apigw
from .apigateway_gateway_responses import put_from
from .apigateway_openapi_security import MethodSecurity, import_authorizers, method_security
from .apigateway_request_validation import (
    OperationValidation,
    import_validators_and_models,
    operation_validation,
)

_ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
_INTEGRATION_KEY = "x-amazon-apigateway-integration"
_BINARY_TYPES_KEY = "x-amazon-apigateway-binary-media-types"
_API_KEY_SOURCE_KEY = "x-amazon-apigateway-api-key-source"
_POLICY_KEY = "x-amazon-apigateway-policy"
_GATEWAY_RESPONSES_KEY = "x-amazon-apigateway-gateway-responses"
_HTTP_VERBS = {"get", "put", "post", "delete", "options", "head", "patch"}


def _backend(account_id: str, region_name: str) -> Any:
    return apigw.apigateway_backends[account_id][region_name]


def _resource_for_path(backend: Any, api: Any, path: str) -> Any:
    """Find or create every resource along `path` ("/a/{b}/{proxy+}")."""
    resource = api.default
    for part in [p for p in path.split("/") if p]:
        child = next(
            (r for r in api.resources.values() if r.parent_id == resource.id and r.path_part == part), None
        )
        resource = child or backend.create_resource(api.id, resource.id, part)
    return resource


def _put_operation(
    backend: Any,
    api_id: str,
    resource_id: str,
    verb: str,
    operation: dict[str, Any],
    security: MethodSecurity,
    validation: OperationValidation,
) -> None:
    method = "ANY" if verb == _ANY_METHOD_KEY else verb.upper()
    backend.put_method(
        api_id,
        resource_id,
        method,
        authorization_type=security.authorization_type,
        authorizer_id=security.authorizer_id,
        api_key_required=security.api_key_required,
        request_parameters=validation.request_parameters or None,
        request_models=validation.request_models or None,
        request_validator_id=validation.validator_id,
    )
    integration = operation.get(_INTEGRATION_KEY)
    if not integration:
        return
    backend.put_integration(
        api_id,
        resource_id,
        method,
        integration_type=str(integration.get("type", "")).upper(),
        uri=integration.get("uri"),
        integration_method=integration.get("httpMethod"),
        credentials=integration.get("credentials"),
        passthrough_behavior=integration.get("passthroughBehavior"),
        timeout_in_millis=integration.get("timeoutInMillis"),
        content_handling=integration.get("contentHandling"),
        request_templates=integration.get("requestTemplates"),
        request_parameters=integration.get("requestParameters"),
    )
    # "responses" maps a selection pattern ("default" for none) to an integration response (MOCK, AWS).
    for pattern, response in (integration.get("responses") or {}).items():
        backend.put_integration_response(
            api_id,
            resource_id,
            method,
            str(response.get("statusCode", "200")),
            None if pattern == "default" else pattern,
            response.get("responseTemplates") or {},
            response.get("responseParameters") or {},
            response.get("contentHandling"),
        )


def import_body(backend: Any, api: Any, body: dict[str, Any]) -> None:
    """Replace the API's resource tree with the one the document describes (AWS 'overwrite' import)."""
    root = api.default
    api.resources = {root.id: root}
    root.resource_methods = {}
    authorizer_ids = import_authorizers(api, body)
    validator_ids = import_validators_and_models(api, body)
    for path, item in (body.get("paths") or {}).items():
        resource = _resource_for_path(backend, api, path)
        for verb, operation in item.items():
            if verb == _ANY_METHOD_KEY or verb in _HTTP_VERBS:
                security = method_security(operation or {}, body, authorizer_ids)
                validation = operation_validation(api, body, item, operation or {}, validator_ids)
                _put_operation(backend, api.id, resource.id, verb, operation or {}, security, validation)
    _import_gateway_responses(api, body)
    if body.get(_POLICY_KEY):
        api.policy = body[_POLICY_KEY]
    if body.get(_API_KEY_SOURCE_KEY):
        api.api_key_source = str(body[_API_KEY_SOURCE_KEY]).upper()


def _import_gateway_responses(api: Any, body: dict[str, Any]) -> None:
    """Replace the gateway responses an earlier body defined (SAM's GatewayResponses)."""
    for response_type, response in list(api.gateway_responses.items()):
        if getattr(response, "lc_from_body", False):
            del api.gateway_responses[response_type]
    for response_type, response in (body.get(_GATEWAY_RESPONSES_KEY) or {}).items():
        put_from(
            api,
            response_type,
            response.get("statusCode"),
            response.get("responseParameters"),
            response.get("responseTemplates"),
        ).lc_from_body = True


def _binary_media_types(properties: dict[str, Any]) -> list[str]:
    """BinaryMediaTypes (with "~1" for "/") and the body's extension, stored as plain media types."""
    body = properties.get("Body") or {}
    listed = [*(properties.get("BinaryMediaTypes") or []), *(body.get(_BINARY_TYPES_KEY) or [])]
    return list(dict.fromkeys(str(t).replace("~1", "/") for t in listed if t))


def _name(properties: dict[str, Any], resource_name: str) -> str:
    # AWS takes the name from the document's info.title when Name is absent (SAM relies on this).
    body = properties.get("Body") or {}
    return str(properties.get("Name") or (body.get("info") or {}).get("title") or resource_name)


def _endpoint_configuration(properties: dict[str, Any]) -> dict[str, Any] | None:
    """CloudFormation's {"Types": [...]} -> the API's {"types": [...]}."""
    config = properties.get("EndpointConfiguration")
    if not config:
        return None
    result: dict[str, Any] = {"types": config.get("Types", ["EDGE"])}
    if config.get("VpcEndpointIds"):
        result["vpcEndpointIds"] = config["VpcEndpointIds"]
    return result


def _create(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    properties = cloudformation_json.get("Properties") or {}
    backend = _backend(account_id, region_name)
    api = backend.create_rest_api(
        name=_name(properties, resource_name),
        description=properties.get("Description", ""),
        endpoint_configuration=_endpoint_configuration(properties),
        policy=properties.get("Policy"),
        disable_execute_api_endpoint=properties.get("DisableExecuteApiEndpoint"),
        minimum_compression_size=properties.get("MinimumCompressionSize"),
        api_key_source=properties.get("ApiKeySourceType"),
    )
    api.binaryMediaTypes = _binary_media_types(properties)
    if properties.get("Body"):
        try:
            import_body(backend, api, properties["Body"])
        except Exception:
            backend.apis.pop(api.id, None)  # a failed import leaves no API behind
            raise
    return api


def _update(
    cls: Any,
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    """Every RestApi property updates in place: the API keeps its id, its stages and its mappings."""
    properties = cloudformation_json.get("Properties") or {}
    api = original_resource
    api.name = _name(properties, api.name)
    api.description = properties.get("Description", "")
    if properties.get("EndpointConfiguration"):
        api.endpoint_configuration = _endpoint_configuration(properties)
    api.disableExecuteApiEndpoint = bool(properties.get("DisableExecuteApiEndpoint", False))
    api.binaryMediaTypes = _binary_media_types(properties)
    api.api_key_source = str(properties.get("ApiKeySourceType") or "HEADER")
    api.policy = properties.get("Policy")
    if properties.get("Body"):
        import_body(_backend(account_id, region_name), api, properties["Body"])
    return api


def _delete_api(self: Any, account_id: str, region_name: str) -> None:
    _backend(account_id, region_name).delete_rest_api(self.id)


def _deployment_create(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    properties = cloudformation_json["Properties"]
    deployment = _original_deployment_create(
        resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    deployment.lc_rest_api_id = properties["RestApiId"]  # needed to delete it with its stack
    return deployment


def _deployment_delete(self: Any, account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    api = backend.apis.get(getattr(self, "lc_rest_api_id", ""))
    if api is None or self.id not in api.deployments:
        return
    # A Deployment with StageName created that stage; deleting the resource deletes it (guarded too).
    own_stage = api.stages.get(getattr(self, "stage_name", None) or "")
    if own_stage is not None and own_stage.deployment_id == self.id:
        backend.delete_stage(api.id, self.stage_name)
    backend.delete_deployment(api.id, self.id)  # refused while another stage points at it


_original_deployment_create = apigw.Deployment.create_from_cloudformation_json


register(
    __name__,
    Patch(
        apigw.RestAPI,
        "create_from_cloudformation_json",
        "RestApi imports its Body; the name defaults to the document's title",
        new=classmethod(_create),
    ),
    Patch(
        apigw.RestAPI,
        "update_from_cloudformation_json",
        "RestApi updates in place and re-imports its Body",
        new=classmethod(_update),
    ),
    Patch(apigw.RestAPI, "delete", "deleting the stack deletes the API", new=_delete_api, adds=True),
    # Ref on a Deployment must give its id (moto returns the object itself).
    Patch(
        apigw.Deployment,
        "physical_resource_id",
        "Ref on a Deployment is its id",
        new=property(lambda self: self.id),
        adds=True,
    ),
    Patch(
        apigw.Deployment,
        "create_from_cloudformation_json",
        "a Deployment remembers its API, to be deleted with its stack",
        new=classmethod(_deployment_create),
    ),
    Patch(
        apigw.Deployment,
        "delete",
        "deleting the stack deletes the deployment",
        new=_deployment_delete,
        adds=True,
    ),
)
