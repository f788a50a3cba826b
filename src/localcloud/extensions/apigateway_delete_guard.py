"""delete_rest_api is refused while a custom domain's base path mapping still points at the API.

AWS answers 400 BadRequestException "Deleting RestApi <id> failed. Please remove all base path mappings
related to the RestApi in your domains." (seen in CloudFormation stack-delete failures).
Doc: https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteRestApi.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import BadRequestException, apigw


def mapped_domains(backend: Any, rest_api_id: str) -> list[str]:
    return sorted(
        domain
        for domain, mappings in backend.base_path_mappings.items()
        for mapping in list(mappings.values())
        if mapping.rest_api_id == rest_api_id
    )


def _delete_rest_api(self: Any, function_id: str) -> Any:
    if mapped_domains(self, function_id):
        raise BadRequestException(
            f"Deleting RestApi {function_id} failed. "
            "Please remove all base path mappings related to the RestApi in your domains."
        )
    return _original_delete(self, function_id)


_original_delete = apigw.APIGatewayBackend.delete_rest_api


register(
    __name__,
    Patch(
        apigw.APIGatewayBackend,
        "delete_rest_api",
        "DeleteRestApi is refused while a base path mapping uses the API",
        new=_delete_rest_api,
    ),
)
