"""The one boundary to moto: every module of the local cloud reaches moto through here.

The patches add attributes and replace methods on moto's classes, which moto's own annotations do not
describe; the modules they patch are seen as Any so every other module stays `mypy --strict` clean.
Classes other code subclasses or patches with its own annotations are re-exported with their real types.
The extensions hook into moto's internals, so the installed moto must be the pinned one (`check_version`).
"""

from importlib import metadata
from typing import Any

from moto import backends as _backends
from moto import settings as settings
from moto.acm import models as _acm
from moto.apigateway import exceptions as _apigw_exceptions
from moto.apigateway import models as _apigw
from moto.apigateway import responses as _apigw_responses
from moto.apigateway import urls as _apigw_urls
from moto.apigatewayv2 import exceptions as _apigwv2_exceptions
from moto.apigatewayv2 import responses as _apigwv2_responses
from moto.apigatewayv2 import urls as _apigwv2_urls
from moto.awslambda import models as _awslambda
from moto.awslambda.exceptions import LambdaClientError as LambdaClientError
from moto.awslambda.models import LambdaBackend as LambdaBackend
from moto.awslambda.models import LambdaFunction as LambdaFunction
from moto.backends import get_backend as _get_backend
from moto.cloudformation import exceptions as _cfn_exceptions
from moto.cloudformation import models as _cfn
from moto.cloudformation import parsing as _parsing
from moto.cloudformation import responses as _cfn_responses
from moto.cloudformation import utils as _cfn_utils
from moto.cloudwatch import models as _cloudwatch
from moto.cloudwatch import responses as _cloudwatch_responses
from moto.core import common_models as _common_models
from moto.core import exceptions as _core_exceptions
from moto.core import models as _core_models
from moto.core.responses import BaseResponse as BaseResponse
from moto.dynamodb import models as _dynamodb
from moto.iam import access_control as _iam_access_control
from moto.iam import models as _iam
from moto.iam.aws_managed_policies import aws_managed_policies_data as _iam_policy_data
from moto.logs import models as _logs
from moto.moto_server import werkzeug_app as werkzeug_app
from moto.route53 import models as _route53
from moto.s3 import models as _s3

# pyproject.toml pins moto[server] to exactly this version; keep the two in step.
EXPECTED_MOTO_VERSION = "5.2.5"


class MotoVersionMismatch(RuntimeError):
    """The installed moto is not the one the extensions were written against."""


def check_version(installed: str | None = None) -> None:
    found = installed if installed is not None else metadata.version("moto")
    if found != EXPECTED_MOTO_VERSION:
        raise MotoVersionMismatch(
            f"localcloud needs moto {EXPECTED_MOTO_VERSION} (its extensions patch moto internals), "
            f"but moto {found} is installed: pip install 'moto[server]=={EXPECTED_MOTO_VERSION}'"
        )


acm: Any = _acm
apigw: Any = _apigw
apigw_responses: Any = _apigw_responses
apigw_urls: Any = _apigw_urls
apigwv2_exceptions: Any = _apigwv2_exceptions
apigwv2_responses: Any = _apigwv2_responses
apigwv2_urls: Any = _apigwv2_urls
awslambda: Any = _awslambda
backends: Any = _backends
cfn: Any = _cfn
parsing: Any = _parsing
cfn_responses: Any = _cfn_responses
cfn_utils: Any = _cfn_utils
cloudwatch: Any = _cloudwatch
cloudwatch_responses: Any = _cloudwatch_responses
dynamodb: Any = _dynamodb
iam: Any = _iam
iam_managed_policy_data: str = _iam_policy_data
logs: Any = _logs
route53: Any = _route53
s3: Any = _s3

get_backend: Any = _get_backend
CloudFormationModel: Any = _common_models.CloudFormationModel
ServiceException: Any = _core_exceptions.ServiceException
IAMPolicy: Any = _iam_access_control.IAMPolicy
get_account_id_from: Any = _iam.get_account_id_from
DEFAULT_ACCOUNT_ID: str = _core_models.DEFAULT_ACCOUNT_ID

BadRequestException: Any = _apigw_exceptions.BadRequestException
ConflictException: Any = _apigw_exceptions.ConflictException
BasePathConflictException: Any = _apigw_exceptions.BasePathConflictException
InvalidRestApiIdForBasePathMappingException: Any = (
    _apigw_exceptions.InvalidRestApiIdForBasePathMappingException
)
InvalidStageException: Any = _apigw_exceptions.InvalidStageException

AlreadyExistsException: Any = _cfn_exceptions.AlreadyExistsException
ValidationError: Any = _cfn_exceptions.ValidationError
UnformattedGetAttTemplateException: Any = _cfn_exceptions.UnformattedGetAttTemplateException
