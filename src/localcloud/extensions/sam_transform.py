"""Run the AWS::Serverless-2016-10-31 transform inside the local CloudFormation, offline.

AWS expands the transform when it processes the template (CreateStack, UpdateStack, CreateChangeSet);
GetTemplate returns the Original template by default and the Processed one on request.
Doc: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-aws-serverless.html
"""

import copy
import logging
import threading
from typing import Any

import boto3
from samtranslator.internal.managed_policies import (  # type: ignore[import-untyped]
    get_bundled_managed_policy_map,
)
from samtranslator.model.exceptions import (  # type: ignore[import-untyped]
    InvalidDocumentException,
    InvalidTemplateException,
)
from samtranslator.parser.parser import Parser  # type: ignore[import-untyped]
from samtranslator.translator.translator import Translator  # type: ignore[import-untyped]

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# The translator keeps its region in a class attribute: one translation at a time.
_translator_lock = threading.Lock()
# The hosted transform has a feature-toggle config; the offline one warns on every lookup it lacks.
logging.getLogger("samtranslator.feature_toggle.feature_toggle").setLevel(logging.ERROR)


class TransformFailed(Exception):
    """The template could not be expanded; the message is AWS's wording."""


def needs_sam_transform(template: dict[str, Any]) -> bool:
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in names


def _partition(region_name: str) -> str:
    if region_name.startswith("cn-"):
        return "aws-cn"
    if region_name.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def expand(
    template: dict[str, Any],
    parameters: dict[str, Any],
    *,
    region_name: str,
    account_id: str,
    stack_name: str,
) -> dict[str, Any]:
    """The processed template: SAM resources replaced by CloudFormation ones, other transforms kept."""
    if not needs_sam_transform(template):
        return template
    partition = _partition(region_name)
    values: dict[str, Any] = {
        name: spec.get("Default")
        for name, spec in (template.get("Parameters") or {}).items()
        if isinstance(spec, dict) and "Default" in spec
    }
    values.update(parameters)
    values.update(
        {
            "AWS::Region": region_name,
            "AWS::Partition": partition,
            "AWS::AccountId": account_id,
            "AWS::StackName": stack_name,
        }
    )
    policies = get_bundled_managed_policy_map(partition) or {}
    with _translator_lock:
        translator = Translator(
            policies, Parser(), boto_session=boto3.session.Session(region_name=region_name)
        )
        try:
            processed: dict[str, Any] = translator.translate(
                copy.deepcopy(template), parameter_values=values, get_managed_policy_map=lambda: policies
            )
        except (InvalidDocumentException, InvalidTemplateException) as error:
            message = getattr(error, "message", None) or str(error)
            raise TransformFailed(f"Transform {SAM_TRANSFORM} failed with: {message}") from error
        finally:
            translator.metrics.publish()  # nothing is sent (dummy publisher); unpublished metrics warn
    remaining = [t for t in _as_list(template.get("Transform")) if t != SAM_TRANSFORM]
    processed.pop("Transform", None)
    if remaining:
        processed["Transform"] = remaining
    return processed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
