"""binaryMediaTypes on the REST API: kept by CreateRestApi, changed by UpdateRestApi patch operations.

moto's CreateRestApi dropped the list, and its patch "add" stored the (empty) value instead of the media
type that the path names: `/binaryMediaTypes/image~1png` ("~1" stands for "/").
Docs: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html
      https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-configure-with-control-service-api.html
"""

import json
from typing import Any

from localcloud.patches import Patch, register

from ._moto import apigw, apigw_responses

_PATH_PREFIX = "/binaryMediaTypes/"

_original_create_rest_api = apigw_responses.APIGatewayResponse.create_rest_api
_original_apply_patch_operations = apigw.RestAPI.apply_patch_operations


def _media_type(path: str) -> str:
    return path.removeprefix(_PATH_PREFIX).replace("~1", "/")


def _create_rest_api(self: Any) -> Any:
    status, headers, body = _original_create_rest_api(self)
    listed = self._get_param("binaryMediaTypes")
    if status != 200 or not listed:
        return status, headers, body
    api = self.backend.get_rest_api(json.loads(body)["id"])
    api.binaryMediaTypes = list(dict.fromkeys(str(t) for t in listed if t))
    return status, headers, json.dumps(api.to_dict())


def _apply_patch_operations(self: Any, patch_operations: list[dict[str, Any]]) -> Any:
    others = []
    for operation in patch_operations:
        path = str(operation.get("path", ""))
        if not path.startswith(_PATH_PREFIX):
            others.append(operation)
            continue
        media_type = _media_type(path)
        if operation.get("op") == "add" and media_type not in self.binaryMediaTypes:
            self.binaryMediaTypes.append(media_type)
        elif operation.get("op") == "remove" and media_type in self.binaryMediaTypes:
            self.binaryMediaTypes.remove(media_type)
        elif operation.get("op") == "replace" and media_type in self.binaryMediaTypes:
            index = self.binaryMediaTypes.index(media_type)
            self.binaryMediaTypes[index] = str(operation.get("value", "")).replace("~1", "/")
    return _original_apply_patch_operations(self, others)


register(
    __name__,
    Patch(
        apigw_responses.APIGatewayResponse,
        "create_rest_api",
        "CreateRestApi keeps binaryMediaTypes",
        new=_create_rest_api,
    ),
    Patch(
        apigw.RestAPI,
        "apply_patch_operations",
        "UpdateRestApi adds and removes the media type its path names",
        new=_apply_patch_operations,
    ),
)
