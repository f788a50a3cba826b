"""AWS::ApiGateway::Method with its authorization and integration responses (moto kept neither).

AuthorizerId, ApiKeyRequired, RequestParameters, RequestModels, RequestValidatorId (enforced by the data
plane), RequestTemplates, PassthroughBehavior, TimeoutInMillis, Credentials and
IntegrationResponses (static MOCK answers such as a CORS preflight) are stored on moto's Method; an
authorization type the local cloud cannot enforce (AWS_IAM, COGNITO_USER_POOLS) fails the stack naming it.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-method.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import apigw

_ENFORCED = ("NONE", "CUSTOM")


def _create(
    cls: Any,
    /,
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    properties = cloudformation_json["Properties"]
    authorization = str(properties.get("AuthorizationType") or "NONE").upper()
    if authorization not in _ENFORCED:
        raise NotImplementedError(
            f"Method authorization type {authorization} is not supported by the local cloud "
            f"(supported: {', '.join(_ENFORCED)})"
        )
    backend = apigw.apigateway_backends[account_id][region_name]
    api_id, resource_id, verb = properties["RestApiId"], properties["ResourceId"], properties["HttpMethod"]
    method = backend.put_method(
        api_id,
        resource_id,
        verb,
        authorization_type=authorization,
        api_key_required=bool(properties.get("ApiKeyRequired", False)),
        authorizer_id=properties.get("AuthorizerId"),
        request_parameters=properties.get("RequestParameters"),
        request_models=properties.get("RequestModels"),
        request_validator_id=properties.get("RequestValidatorId"),
        operation_name=properties.get("OperationName"),
    )
    integration = properties.get("Integration")
    if not integration:
        return method
    backend.put_integration(
        api_id,
        resource_id,
        verb,
        integration_type=str(integration.get("Type", "")).upper(),
        uri=integration.get("Uri"),
        integration_method=integration.get("IntegrationHttpMethod"),
        credentials=integration.get("Credentials"),
        request_templates=integration.get("RequestTemplates"),
        passthrough_behavior=integration.get("PassthroughBehavior"),
        timeout_in_millis=integration.get("TimeoutInMillis"),
        request_parameters=integration.get("RequestParameters"),
        content_handling=integration.get("ContentHandling"),
    )
    for response in integration.get("IntegrationResponses") or []:
        backend.put_integration_response(
            api_id,
            resource_id,
            verb,
            str(response.get("StatusCode", "200")),
            response.get("SelectionPattern"),
            response.get("ResponseTemplates") or {},
            response.get("ResponseParameters") or {},
            response.get("ContentHandling"),
        )
    return method


register(
    __name__,
    Patch(
        apigw.Method,
        "create_from_cloudformation_json",
        "AWS::ApiGateway::Method with its integration, responses and authorization",
        new=classmethod(_create),
    ),
)
