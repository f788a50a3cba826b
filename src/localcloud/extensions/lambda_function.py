"""AWS::Lambda::Function updates with inline code (Code.ZipFile) work like creates.

In CloudFormation, Code.ZipFile is the plain-text source; moto zips it on create but hands the raw text to
the base64 decoder on update ("Incorrect padding"). The one patch of the update also keeps LoggingConfig
(observability/lambda_logging_config.py keeps it on create and through the API).
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-function-code.html
"""

import base64
import copy
from typing import Any

from localcloud.observability.lambda_logging_config import keep_from_template
from localcloud.patches import Patch, register

from ._moto import awslambda


def _update(
    cls: Any,
    /,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
) -> Any:
    cloudformation_json = copy.deepcopy(cloudformation_json)
    code = cloudformation_json["Properties"].get("Code") or {}
    if isinstance(code.get("ZipFile"), str):
        code["ZipFile"] = base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"]))
    function = _original_update(
        original_resource, new_resource_name, cloudformation_json, account_id, region_name
    )
    return keep_from_template(function, cloudformation_json)


_original_update = awslambda.LambdaFunction.update_from_cloudformation_json


register(
    __name__,
    Patch(
        awslambda.LambdaFunction,
        "update_from_cloudformation_json",
        "inline Code.ZipFile updates like a create; LoggingConfig is kept",
        new=classmethod(_update),
    ),
)
