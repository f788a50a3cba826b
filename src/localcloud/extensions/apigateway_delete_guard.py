"""What a custom domain's base path mapping still uses cannot be deleted: its REST API, its stage, and a
deployment a stage still points at.

AWS answers 400 BadRequestException:
- DeleteRestApi: "Deleting RestApi <id> failed. Please remove all base path mappings related to the RestApi
  in your domains." (seen in CloudFormation stack-delete failures).
- DeleteStage: "Deleting stage <stage> failed. Please remove all base path mappings related to the stage in
  your domains." So a color stack whose stage is live ends DELETE_FAILED with that stage, its deployment and
  its API still serving.
- DeleteDeployment: "Active stages pointing to this deployment must be moved or deleted".
Docs: https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteRestApi.html
      https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteStage.html
      https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html
"""

from typing import Any

from localcloud.patches import Patch, register

from ._moto import BadRequestException, apigw


def mapped_domains(backend: Any, rest_api_id: str, stage: str | None = None) -> list[str]:
    """Domains with a mapping to the API (to that stage of it, when `stage` is given)."""
    return sorted(
        domain
        for domain, mappings in backend.base_path_mappings.items()
        for mapping in list(mappings.values())
        if mapping.rest_api_id == rest_api_id and (stage is None or mapping.stage == stage)
    )


def _delete_rest_api(self: Any, function_id: str) -> Any:
    if mapped_domains(self, function_id):
        raise BadRequestException(
            f"Deleting RestApi {function_id} failed. "
            "Please remove all base path mappings related to the RestApi in your domains."
        )
    return _original_delete(self, function_id)


_original_delete = apigw.APIGatewayBackend.delete_rest_api


def _delete_stage(self: Any, function_id: str, stage_name: str) -> Any:
    if mapped_domains(self, function_id, stage_name):
        raise BadRequestException(
            f"Deleting stage {stage_name} failed. "
            "Please remove all base path mappings related to the stage in your domains."
        )
    return _original_delete_stage(self, function_id, stage_name)


_original_delete_stage = apigw.APIGatewayBackend.delete_stage


def _delete_deployment(self: Any, function_id: str, deployment_id: str) -> Any:
    api = self.get_rest_api(function_id)
    if any(stage.deployment_id == deployment_id for stage in api.stages.values()):
        raise BadRequestException("Active stages pointing to this deployment must be moved or deleted")
    return _original_delete_deployment(self, function_id, deployment_id)


_original_delete_deployment = apigw.APIGatewayBackend.delete_deployment


register(
    __name__,
    Patch(
        apigw.APIGatewayBackend,
        "delete_rest_api",
        "DeleteRestApi is refused while a base path mapping uses the API",
        new=_delete_rest_api,
    ),
    Patch(
        apigw.APIGatewayBackend,
        "delete_stage",
        "DeleteStage is refused while a base path mapping uses the stage",
        new=_delete_stage,
    ),
    Patch(
        apigw.APIGatewayBackend,
        "delete_deployment",
        "DeleteDeployment is refused while a stage points at the deployment",
        new=_delete_deployment,
    ),
)
