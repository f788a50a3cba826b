"""AWS::ApiGateway::RestApi with a Body: the OpenAPI document becomes resources, methods and integrations.

AWS imports the Body on create and re-imports it (same API id) on update; moto ignores Body, needs a Name.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-restapi.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import apigw

_ANY_METHOD_KEY = "x-amazon-apigateway-any-method"
_INTEGRATION_KEY = "x-amazon-apigateway-integration"
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


def _put_operation(backend: Any, api_id: str, resource_id: str, verb: str, operation: dict[str, Any]) -> None:
    method = "ANY" if verb == _ANY_METHOD_KEY else verb.upper()
    # An operation guarded by a security scheme uses an authorizer; SAM-generated APIs without auth use NONE.
    authorization = "CUSTOM" if operation.get("security") else "NONE"
    backend.put_method(api_id, resource_id, method, authorization_type=authorization)
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


def import_body(backend: Any, api: Any, body: dict[str, Any]) -> None:
    """Replace the API's resource tree with the one the document describes (AWS 'overwrite' import)."""
    root = api.default
    api.resources = {root.id: root}
    root.resource_methods = {}
    for path, item in (body.get("paths") or {}).items():
        resource = _resource_for_path(backend, api, path)
        for verb, operation in item.items():
            if verb == _ANY_METHOD_KEY or verb in _HTTP_VERBS:
                _put_operation(backend, api.id, resource.id, verb, operation or {})


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
    )
    if properties.get("Body"):
        import_body(backend, api, properties["Body"])
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
