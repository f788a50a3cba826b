"""moto, seen by the type checker as Any.

The patches add attributes and replace methods on moto's classes, which moto's own annotations do not
describe; one typed boundary here keeps every other module `mypy --strict` clean without scattered ignores.
"""

from typing import Any

from moto.apigateway import exceptions as _apigw_exceptions
from moto.apigateway import models as _apigw
from moto.apigateway import responses as _apigw_responses
from moto.awslambda import models as _awslambda
from moto.cloudformation import exceptions as _cfn_exceptions
from moto.cloudformation import models as _cfn
from moto.cloudformation import parsing as _parsing
from moto.cloudformation import responses as _cfn_responses
from moto.cloudformation import utils as _cfn_utils
from moto.cloudwatch import models as _cloudwatch
from moto.cloudwatch import responses as _cloudwatch_responses
from moto.core import common_models as _common_models
from moto.core import exceptions as _core_exceptions
from moto.dynamodb import models as _dynamodb
from moto.logs import models as _logs
from moto.s3 import models as _s3

apigw: Any = _apigw
apigw_responses: Any = _apigw_responses
awslambda: Any = _awslambda
cfn: Any = _cfn
parsing: Any = _parsing
cfn_responses: Any = _cfn_responses
cfn_utils: Any = _cfn_utils
cloudwatch: Any = _cloudwatch
cloudwatch_responses: Any = _cloudwatch_responses
dynamodb: Any = _dynamodb
logs: Any = _logs
s3: Any = _s3

CloudFormationModel: Any = _common_models.CloudFormationModel
ServiceException: Any = _core_exceptions.ServiceException

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
